import {
  confidence,
  databaseCapabilities,
  databasePorts,
  llmProvider,
  packageRow,
  type CapabilityId,
} from '../catalog/index.js';
import type { Evidence, Inventory } from '../inventory/index.js';
import type { Caller, Observation } from '../observations/index.js';
import { inferMcp } from './mcp.js';

/** Gives meaning to what the hooks saw, through the catalog, and hands it to the inventory. */
export function infer(observation: Observation, inventory: Inventory): void {
  const now = new Date().toISOString();
  switch (observation.kind) {
    case 'api':
      addUse(inventory, observation.variant as CapabilityId, observation.api, observation.caller, now, confidence.used);
      return;
    case 'package':
      return addPackage(inventory, observation.name, observation.dir, now);
    case 'http': {
      const { method, protocol, host, path, caller } = observation;
      const api = `${observation.client === 'undici' ? 'fetch' : 'http.request'} ${method} ${protocol}//${host}`;
      addUse(inventory, 'api:call', api, caller, now, confidence.used);
      const provider = llmProvider(host.replace(/:\d+$/, ''), path);
      if (provider) addUse(inventory, 'ai:model_call', api, caller, now, confidence.wireLlm, { provider });
      return;
    }
    case 'connect': {
      const { host, port, caller } = observation;
      const api = `net.connect ${host}:${port}`;
      addUse(inventory, 'network:connect', api, caller, now, confidence.used);
      const database = databasePorts.get(port);
      for (const id of database ? databaseCapabilities : []) {
        addUse(inventory, id, api, caller, now, confidence.databasePort, { database: database! });
      }
      return;
    }
    case 'listen':
      addUse(inventory, 'network:listen', `listen :${observation.port ?? '?'}`, observation.caller, now, confidence.used);
      return;
    case 'mcp-server':
    case 'mcp-call':
      return inferMcp(observation, inventory, now);
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
  const evidence: Evidence = { strength: 'used', api, who: caller.who, firstSeen: now };
  if (caller.location) evidence.location = caller.location;
  if (details) evidence.details = details;
  inventory.addEvidence(id, evidence, level);
  if (caller.who !== 'app') inventory.addPackage({ name: caller.who });
}

function addPackage(inventory: Inventory, name: string, dir: string | undefined, now: string): void {
  inventory.addPackage(dir ? { name, dir } : { name });
  const row = packageRow(name);
  for (const id of row?.capabilities ?? []) {
    inventory.addEvidence(
      id,
      { strength: 'loaded', api: `import ${name}`, who: name, firstSeen: now, details: { kind: row!.kind } },
      confidence.loaded,
    );
  }
}
