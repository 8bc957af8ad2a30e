import type { Ledger } from './ledger.js';
import type { Outcome, Protocol, SendOptions } from './outcome.js';
import { capKey, detKey, emptyDesired, srvKey, type Desired, type PendingCapability, type PendingDetection, type PendingServer } from './payload.js';

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
}

export type CapabilityMode = 'grant' | 'request' | 'off';

/** Everything wanted minus what AIM has or refused. */
export function unsent(wanted: Desired, ledger: Ledger, mode: CapabilityMode | undefined, serversViaDetections: boolean): Desired {
  const out = emptyDesired();
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
  settings: { agent: string; capabilities?: CapabilityMode },
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
    const request = settings.capabilities === 'request';
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
  return undefined;
}

export function isEmpty(d: Desired): boolean {
  return d.capabilities.size === 0 && d.detections.size === 0 && d.servers.size === 0;
}

/** AIM_CAPABILITIES=off: the integration entry does not list capabilities either. */
function offCapabilities(d: PendingDetection, mode: CapabilityMode | undefined): PendingDetection {
  if (mode !== 'off' || !Array.isArray(d.details.capabilities)) return d;
  return { ...d, details: { ...d.details, capabilities: [] } };
}
