import * as z from 'zod/mini';

/**
 * Request bodies of AIM's API-key routes (aim-protocol.md sections 3.1 to 3.3, 3.5), with AIM's
 * field limits. The reporter checks what it sends with these; the local collector validates what
 * it receives with the same schemas and answers 400 with the reason.
 */

/** AIM's `namespace:action` pattern (section 4.1). */
export const CAPABILITY_PATTERN = /^[a-z][a-z0-9]*:[a-z][a-z0-9_]*$/;

/** RFC 3339 with a zone (`Z` or an offset): Go's `time.Time` refuses anything else. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Limits AIM enforces (silently, by dropping the item) or stores (VARCHAR sizes). */
export const LIMITS = {
  mcpServer: 255,
  detectionMethod: 50,
  sdkVersion: 50,
  capabilityRequestReason: 10,
} as const;

const jsonObject = z.record(z.string(), z.unknown());
const confidence = z.number().check(z.minimum(0), z.maximum(100));

export const detectionEvent = z.object({
  mcpServer: z.string().check(z.minLength(1), z.maxLength(LIMITS.mcpServer)),
  detectionMethod: z.string().check(z.minLength(1), z.maxLength(LIMITS.detectionMethod)),
  confidence,
  details: z.optional(jsonObject),
  sdkVersion: z.optional(z.string().check(z.maxLength(LIMITS.sdkVersion))),
  timestamp: z.string().check(z.regex(RFC3339, 'timestamp must be RFC 3339 with a time zone')),
});

export const detectionReportRequest = z.object({
  detections: z.array(detectionEvent).check(z.minLength(1, 'detections array is required and must not be empty')),
});

export const grantCapabilityRequest = z.object({
  capabilityType: z.string().check(z.regex(CAPABILITY_PATTERN, 'capabilityType must match namespace:action')),
  scope: z.optional(jsonObject),
  executionMode: z.optional(z.enum(['auto', 'notify', 'review'])),
});

export const addMcpServersRequest = z.object({
  mcp_server_ids: z
    .array(z.string().check(z.minLength(1), z.maxLength(LIMITS.mcpServer)))
    .check(z.minLength(1, 'mcp_server_ids is required and must not be empty')),
  detected_method: z.optional(z.string().check(z.maxLength(LIMITS.detectionMethod))),
  confidence: z.optional(confidence),
  metadata: z.optional(jsonObject),
});

export const capabilityRequestRequest = z.object({
  capability_type: z.string().check(z.minLength(1, 'capability_type is required')),
  reason: z.string().check(z.minLength(LIMITS.capabilityRequestReason, 'reason must be at least 10 characters')),
});

export type DetectionEvent = z.infer<typeof detectionEvent>;
export type DetectionReportRequest = z.infer<typeof detectionReportRequest>;
export type GrantCapabilityRequest = z.infer<typeof grantCapabilityRequest>;
export type AddMcpServersRequest = z.infer<typeof addMcpServersRequest>;
export type CapabilityRequestRequest = z.infer<typeof capabilityRequestRequest>;

/** One readable reason for a failed parse: `detections[0].confidence: Too big ...`. */
export function firstIssue(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid body';
  const path = issue.path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`))
    .join('');
  return path ? `${path}: ${issue.message}` : issue.message;
}

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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
