/**
 * AIM's routes, one table for the client that calls them and the collector that answers them
 * (docs/aim-protocol.md; upstream `apps/backend/cmd/server/main.go`, the `sdk-api` group).
 */
export const SDK_API = '/api/v1/sdk-api';
/** Signed generation: registration with the API key and a client-made public key. */
export const REGISTRATION_PATH = '/api/v1/agents';

/** The routes under `/api/v1/sdk-api/agents/{id}`: method and what follows the id. */
export const agentRoutes = {
  agent: { method: 'GET', suffix: '' },
  detection: { method: 'POST', suffix: 'detection/report' },
  capabilities: { method: 'POST', suffix: 'capabilities' },
  /** Signed generation: 201 granted, 202 pending (strict), 409 already there. */
  register: { method: 'POST', suffix: 'capabilities/register' },
  /** API-key generation: talks_to names; signed generation: creates an MCP server record (409 with the existing id). */
  'mcp-servers': { method: 'POST', suffix: 'mcp-servers' },
  'mcp-server-by-name': { method: 'GET', suffix: 'mcp-servers/by-name' },
  'capability-requests': { method: 'POST', suffix: 'capability-requests' },
  /** Signed generation: one per server and tool the program used. */
  'mcp-connections': { method: 'POST', suffix: 'mcp-connections' },
  /** Signed generation: tool call counts, keyed by the server records' ids. */
  'mcp-usage-report': { method: 'POST', suffix: 'mcp-usage-report' },
  heartbeat: { method: 'POST', suffix: 'heartbeat' },
} as const satisfies Record<string, { method: 'GET' | 'POST'; suffix: string }>;

export type AgentRoute = keyof typeof agentRoutes;
export type RouteName = AgentRoute | 'registration' | 'capability-report' | 'other';

/** The detection group's capability report (agent signature or JWT; never an API key). */
export const CAPABILITY_REPORT = { method: 'POST', prefix: '/api/v1/detection/agents/', suffix: '/capabilities/report' } as const;

export function capabilityReportPath(agentId: string): string {
  return `${CAPABILITY_REPORT.prefix}${encodeURIComponent(agentId)}${CAPABILITY_REPORT.suffix}`;
}

/** The path of an agent route, the id escaped. */
export function agentPath(agentId: string, route: AgentRoute): string {
  const { suffix } = agentRoutes[route];
  return `${SDK_API}/agents/${encodeURIComponent(agentId)}${suffix ? `/${suffix}` : ''}`;
}

/** Which route a request is, and the agent id (still escaped) it names. */
export function routeOf(method: string, path: string): { route: RouteName; param?: string } {
  if (path === REGISTRATION_PATH && method === 'POST') return { route: 'registration' };
  const report = /^\/api\/v1\/detection\/agents\/([^/]+)\/capabilities\/report$/.exec(path);
  if (report && method === 'POST') return { route: 'capability-report', param: report[1] };
  const m = /^\/api\/v1\/sdk-api\/agents\/([^/]+)(?:\/(.+))?$/.exec(path);
  if (!m) return { route: 'other' };
  const [, param, rest = ''] = m;
  for (const [name, row] of Object.entries(agentRoutes) as [AgentRoute, (typeof agentRoutes)[AgentRoute]][]) {
    if (row.suffix === rest && row.method === method) return { route: name, param };
  }
  return { route: 'other', param };
}
