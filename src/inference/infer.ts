import {
  confidence,
  databaseCapabilities,
  databaseOfDriver,
  databasePorts,
  databaseProtocols,
  llmProvider,
  vectorStoreUse,
  packageRow,
  type CapabilityId,
} from '../catalog/index.js';
import type { Evidence, Inventory, Strength } from '../inventory/index.js';
import type { Caller, Connect, Observation } from '../observations/index.js';
import { commandDetails } from './command.js';
import { inferHost, inferPackageDir, inferPath, inferSpawn } from './facts.js';
import { inferMcp } from './mcp.js';

const clientApi = { http: 'http.request', http2: 'http2.request', undici: 'fetch' } as const;

/** Gives meaning to what the hooks saw, through the catalog, and hands it to the inventory. */
export function infer(observation: Observation, inventory: Inventory, now = new Date().toISOString()): void {
  switch (observation.kind) {
    case 'api': {
      const { variant, api, caller, probe, command } = observation;
      const details = command ? commandDetails(command) : observation.details;
      if (probe) addEvidence(inventory, 'probe', variant as CapabilityId, api, caller, now, confidence.probe, details);
      else addUse(inventory, variant as CapabilityId, api, caller, now, confidence.used, details);
      return;
    }
    case 'package':
      return addPackage(inventory, observation.name, observation.dir, now);
    case 'http': {
      const { method, protocol, host, path, caller } = observation;
      rememberRequestCaller(protocol, host, caller);
      const api = `${clientApi[observation.client]} ${method} ${protocol}//${host}`;
      addUse(inventory, 'api:call', api, caller, now, confidence.used);
      const provider = llmProvider(host.replace(/:\d+$/, ''), path);
      if (provider) addUse(inventory, 'ai:model_call', api, caller, now, confidence.wireLlm, { provider });
      const store = vectorStoreUse(method, host, path, caller.via ?? caller.who);
      if (store) addUse(inventory, store.capability, `${api}${path}`, caller, now, confidence.wireVectorStore, { database: store.store });
      inferHost(host, path, api, caller, inventory, now);
      return;
    }
    case 'connect':
      return inferConnect(observation, inventory, now);
    case 'listen':
      addUse(inventory, 'network:listen', `listen :${observation.port ?? '?'}`, observation.caller, now, confidence.used);
      return;
    case 'path':
      return inferPath(observation, inventory, now);
    case 'spawn':
      return inferSpawn(observation, inventory, now);
    case 'runtime':
      return inventory.addFeature(observation.feature);
    case 'mcp-server':
    case 'mcp-call':
      return inferMcp(observation, inventory, now);
  }
}

/**
 * The HTTP requests' callers by destination, so that the connection a request opens is
 * attributed like its `api:call`: fetch and the SDKs connect from undici's frames a tick later,
 * which name the program at no line (or the wrong package). Bounded: a few hundred destinations.
 */
const requestCallers = new Map<string, Caller>();
const MAX_REMEMBERED = 256;

function rememberRequestCaller(protocol: string, host: string, caller: Caller): void {
  const key = destination(host, protocol === 'https:' ? 443 : 80);
  if (requestCallers.has(key) || requestCallers.size >= MAX_REMEMBERED) return;
  requestCallers.set(key, caller);
}

function connectionCaller(caller: Caller, host: string, port: number): Caller {
  if (caller.location) return caller;
  return requestCallers.get(`${host.replace(/^\[|\]$/g, '').toLowerCase()}:${port}`) ?? caller;
}

/** `host:port`, brackets of an IPv6 literal dropped, the default port filled in. */
function destination(host: string, defaultPort: number): string {
  const match = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(host.includes(']') || host.split(':').length === 2 ? host : `[${host}]`);
  return `${(match?.[1] ?? host).toLowerCase()}:${match?.[2] ?? defaultPort}`;
}

/**
 * A connection, attempted or made. A database driver's own socket is database use: drivers whose
 * protocol the hooks read report their statements (read or write) separately; for the others the
 * socket itself is the use. Anyone else's connection to a database's well-known port is only a
 * hint: a port is a guess, never a grant.
 */
function inferConnect(observation: Connect, inventory: Inventory, now: string): void {
  const { host, port, path } = observation;
  const caller = host === undefined || port === undefined ? observation.caller : connectionCaller(observation.caller, host, port);
  const api = path === undefined ? `net.connect ${host}:${port}` : `net.connect ${path}`;
  addUse(inventory, 'network:connect', api, caller, now, confidence.used);
  if (host !== undefined) inferHost(host, '', api, caller, inventory, now);
  const driver = databaseOfDriver(caller.who);
  if (driver) {
    if (databaseProtocols.has(driver)) return;
    for (const id of databaseCapabilities) addUse(inventory, id, api, caller, now, confidence.driverSocket, { database: driver });
    return;
  }
  const database = port === undefined ? undefined : databasePorts.get(port);
  for (const id of database ? databaseCapabilities : []) {
    addEvidence(inventory, 'hint', id, api, caller, now, confidence.databasePort, { database: database! });
  }
}

function addUse(
  inventory: Inventory,
  id: CapabilityId,
  api: string,
  caller: Caller,
  now: string,
  level: number,
  details?: Record<string, string>,
): void {
  addEvidence(inventory, 'used', id, api, caller, now, level, details);
}

function addEvidence(
  inventory: Inventory,
  strength: Strength,
  id: CapabilityId,
  api: string,
  caller: Caller,
  now: string,
  level: number,
  details?: Record<string, string>,
): void {
  const evidence: Evidence = { strength, api, who: caller.who, firstSeen: now };
  if (caller.location) evidence.location = caller.location;
  if (caller.thread) evidence.worker = caller.thread;
  if (details) evidence.details = details;
  inventory.addEvidence(id, evidence, level);
  if (caller.who !== 'app') inventory.addPackage({ name: caller.who });
}

function addPackage(inventory: Inventory, name: string, dir: string | undefined, now: string): void {
  inventory.addPackage(dir ? { name, dir } : { name });
  if (dir) inferPackageDir(dir, inventory);
  const row = packageRow(name);
  for (const id of row?.capabilities ?? []) {
    inventory.addEvidence(
      id,
      { strength: 'loaded', api: `import ${name}`, who: name, firstSeen: now, details: { kind: row!.kind } },
      confidence.loaded,
    );
  }
}
