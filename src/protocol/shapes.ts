import { isUuid } from '../platform/index.js';

/**
 * What AIM answers, read leniently by the client and written by the collector.
 */
/**
 * What `GET /api/v1/sdk-api/agents/{identifier}` tells us, read leniently: the agent id, and the
 * capabilities it holds. Upstream lists `domain.AgentCapability` objects (`capabilityType`,
 * `revokedAt` when revoked); older and later shapes use plain strings. Anything unreadable is
 * ignored rather than trusted.
 */
export interface AgentView {
  id: string;
  name?: string;
  status?: string;
  granted: string[];
  revoked: string[];
  /** MCP servers AIM already lists for the agent. */
  talksTo: string[];
}

export function readAgentView(body: unknown): AgentView | undefined {
  if (!isObject(body)) return undefined;
  const agent = isObject(body.agent) ? body.agent : body;
  const id = typeof agent.id === 'string' ? agent.id : undefined;
  if (!id) return undefined;
  const view: AgentView = { id, granted: [], revoked: [], talksTo: [] };
  const talksTo = agent.talks_to ?? agent.talksTo;
  if (Array.isArray(talksTo)) view.talksTo = talksTo.filter((t): t is string => typeof t === 'string').slice(0, 1000);
  if (typeof agent.name === 'string') view.name = agent.name;
  if (typeof agent.status === 'string') view.status = agent.status;
  const list = Array.isArray(agent.capabilities) ? agent.capabilities.slice(0, 1000) : [];
  for (const item of list) {
    if (typeof item === 'string') {
      view.granted.push(item);
      continue;
    }
    if (!isObject(item)) continue;
    const type = item.capabilityType ?? item.capability_type ?? item.type;
    if (typeof type !== 'string') continue;
    const revoked =
      (item.revokedAt ?? item.revoked_at) != null || item.status === 'revoked' || item.revoked === true;
    (revoked ? view.revoked : view.granted).push(type);
  }
  return view;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Upstream's `utils.UnmarshalFlexibleJSON`: snake_case keys read as camelCase. */
export function flexible(body: unknown): unknown {
  if (!isObject(body)) return body;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}

/** The record id in an answer: `id`, `existingId`, `mcpServerId`, or inside `mcpServer`/`server`. */
export function readRecordId(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  for (const v of [b.id, b.existingId, b.existing_id, b.mcpServerId, (b.mcpServer as { id?: unknown } | undefined)?.id, (b.server as { id?: unknown } | undefined)?.id]) {
    if (typeof v === 'string' && isUuid(v)) return v;
  }
  return undefined;
}
