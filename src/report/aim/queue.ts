import type { Ledger } from './ledger.js';
import type { Outcome, Protocol, SendOptions } from './outcome.js';
import { capKey, detKey, emptyDesired, srvKey, type Desired, type PendingCapability, type PendingDetection, type PendingServer } from './payload.js';
import { recKey, type PendingRecord } from './records.js';

/**
 * What to send next, as pure functions of what is wanted and what AIM has: the agent read first
 * (nothing else can go before it), then detections (batched), capabilities (one a request, as
 * AIM's route takes them), then MCP servers (batched).
 */
export interface Request {
  /** Report keys this request settles. */
  key: string[];
  /** `capabilities fs:read`: the first word names the route in warnings and figures. */
  describe: string;
  send: (protocol: Protocol, opts: SendOptions) => Promise<Outcome>;
  /** Told the outcome when AIM has it (ok or duplicate): an MCP record's id is kept here. */
  settled?: (outcome: Outcome) => void;
}

/** The MCP server records' ids AIM gave, by identity (kept in the fleet state across restarts). */
export interface RecordIds {
  get(identity: string): string | undefined;
  set(identity: string, id: string): void;
}

export type CapabilityMode = 'grant' | 'request' | 'off';

/**
 * Everything wanted minus what AIM has or refused. `signed`: the server is the current AIM (MCP
 * records, connections, the capability report); a connection waits for its record's id.
 */
export function unsent(
  wanted: Desired,
  ledger: Ledger,
  mode: CapabilityMode | undefined,
  serversViaDetections: boolean,
  signed?: { ids: RecordIds },
): Desired {
  const out = emptyDesired();
  if (signed) {
    for (const [k, v] of wanted.records) if (!ledger.has(k) || !signed.ids.get(v.identity)) out.records.set(k, v);
    for (const [k, v] of wanted.connections) if (!ledger.has(k) && (signed.ids.get(v.identity) || out.records.has(recKey(v.identity)))) out.connections.set(k, v);
    for (const [k, v] of wanted.reports) if (!ledger.has(k)) out.reports.set(k, v);
  }
  if (mode !== 'off') {
    for (const [k, v] of wanted.capabilities) if (!ledger.has(k) && !ledger.revoked.has(v.id)) out.capabilities.set(k, v);
  }
  for (const [k, v] of wanted.detections) if (!ledger.has(k)) out.detections.set(k, offCapabilities(v, mode));
  // The signed generation learns the servers from detection/report: nothing to send for them,
  // and the next processes of the agent need not wait for the protocol to know it.
  for (const [k, v] of wanted.servers) {
    if (ledger.has(k)) continue;
    if (!serversViaDetections) out.servers.set(k, v);
    else if (ledger.has(detKey(v.name, 'sdk_runtime'))) ledger.acknowledge([k]);
  }
  return out;
}

/** The next request, or undefined when AIM has everything. */
export function nextRequest(
  pending: Desired,
  agentId: string | undefined,
  settings: { agent: string; capabilities?: CapabilityMode; allowList?: ReadonlySet<string> },
  ids?: RecordIds,
): Request | undefined {
  if (!agentId) {
    if (isEmpty(pending)) return undefined;
    return { key: ['agent'], describe: 'agent read', send: async (p, o) => p.getAgent(settings.agent, o) };
  }
  if (pending.detections.size) {
    const items: PendingDetection[] = [...pending.detections.values()].slice(0, 100);
    return {
      key: items.map((d) => detKey(d.mcpServer, d.detectionMethod)),
      describe: `detection/report (${items.length})`,
      send: (p, o) => p.reportDetections(agentId, items, o),
    };
  }
  const cap: PendingCapability | undefined = pending.capabilities.values().next().value;
  if (cap) {
    // Outside the local allow-list (AIM_ALLOWLIST) is drift: asked for, never granted by aim.
    const request = settings.capabilities === 'request' || (settings.allowList !== undefined && !settings.allowList.has(cap.id));
    return {
      key: [capKey(cap.id)],
      describe: `capabilities ${cap.id}`,
      send: (p, o) => (request && p.requestCapability ? p.requestCapability(agentId, cap, o) : p.grantCapability(agentId, cap, o)),
    };
  }
  if (pending.servers.size) {
    const servers: PendingServer[] = [...pending.servers.values()].slice(0, 100);
    return {
      key: servers.map((s) => srvKey(s.name)),
      describe: `mcp-servers (${servers.length})`,
      send: (p, o) => p.addMcpServers(agentId, servers, o),
    };
  }
  return ids ? nextSignedRequest(pending, agentId, ids) : undefined;
}

/** The current AIM's records, in order: server records, then their connections, then the capability report. */
function nextSignedRequest(pending: Desired, agentId: string, ids: RecordIds): Request | undefined {
  const record: PendingRecord | undefined = pending.records.values().next().value;
  if (record) {
    return {
      key: [recKey(record.identity)],
      describe: `mcp-server ${record.body.name}`,
      send: (p, o) => p.records!.createMcpServer(agentId, record, o),
      settled: (outcome) => {
        const id = outcome.kind === 'ok' || outcome.kind === 'duplicate' ? outcome.id : undefined;
        if (id) ids.set(record.identity, id);
      },
    };
  }
  for (const [key, connection] of pending.connections) {
    const serverId = ids.get(connection.identity);
    if (!serverId) continue;
    return {
      key: [key],
      describe: `mcp-connections ${connection.name} ${connection.tool}`,
      send: (p, o) => p.records!.recordConnection(agentId, serverId, connection, o),
    };
  }
  const [reportKey, report] = pending.reports.entries().next().value ?? [];
  if (reportKey && report) {
    return { key: [reportKey], describe: 'capabilities/report', send: (p, o) => p.records!.reportCapabilities(agentId, report, o) };
  }
  return undefined;
}

export function isEmpty(d: Desired): boolean {
  return [d.capabilities, d.detections, d.servers, d.records, d.connections, d.reports].every((m) => m.size === 0);
}

/** AIM_CAPABILITIES=off: the integration entry does not list capabilities either. */
function offCapabilities(d: PendingDetection, mode: CapabilityMode | undefined): PendingDetection {
  if (mode !== 'off' || !Array.isArray(d.details.capabilities)) return d;
  return { ...d, details: { ...d.details, capabilities: [] } };
}

/** Record ids kept in memory only (no fleet state). */
export function memoryIds(): RecordIds {
  const ids = new Map<string, string>();
  return { get: (k) => ids.get(k), set: (k, v) => void ids.set(k, v) };
}

/** Liveness for the current AIM. */
export function heartbeatRequest(agentId: string, settled: () => void): Request {
  return { key: ['heartbeat'], describe: 'heartbeat', send: (p, o) => (p.records ? p.records.heartbeat(agentId, o) : notCurrent()), settled };
}

/** A guess of the current AIM that proved wrong (the server is an older one): nothing to send. */
function notCurrent(): Promise<Outcome> {
  return Promise.resolve({ kind: 'drop', status: 0, reason: 'this AIM has no such route (older generation)' });
}

/** The route a request goes to: the first word of its description. */
export function routeOf(request: Request): string {
  return request.describe.split(' ')[0]!;
}
