import * as z from 'zod/mini';

/**
 * Request bodies of AIM's routes (docs/aim-protocol.md), with AIM's field limits. The reporter
 * checks what it sends with these; the local collector validates what it receives with the same
 * schemas and answers 400 with the reason.
 */

/** AIM's `namespace:action` capability pattern. */
export const CAPABILITY_PATTERN = /^[a-z][a-z0-9]*:[a-z][a-z0-9_]*$/;

/** RFC 3339 with a zone (`Z` or an offset): Go's `time.Time` refuses anything else. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Limits AIM enforces (silently, by dropping the item) or stores (VARCHAR sizes). */
export const LIMITS = {
  mcpServer: 255,
  detectionMethod: 50,
  sdkVersion: 50,
  capabilityRequestReason: 10,
} as const;

export const jsonObject = z.record(z.string(), z.unknown());
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

/** Signed generation: `POST /api/v1/agents` (keys read camelCase or snake_case, see `flexible`). */
export const registrationRequest = z.object({
  name: z.string().check(z.minLength(1, 'name is required'), z.maxLength(255)),
  publicKey: z.string().check(z.minLength(1, 'publicKey is required')),
  displayName: z.optional(z.string()),
  description: z.optional(z.string()),
  agentType: z.optional(z.string()),
  version: z.optional(z.string()),
  capabilities: z.optional(z.array(z.string())),
  talksTo: z.optional(z.array(z.string())),
  metadata: z.optional(z.record(z.string(), z.unknown())),
  /** The agent's ML-DSA key (AIM's agent fields; upstream's CreateAgent does not read them yet). */
  pqcPublicKey: z.optional(z.string()),
  pqcKeyAlgorithm: z.optional(z.string()),
  hybridModeEnabled: z.optional(z.boolean()),
});

export const registerCapabilityRequest = z.object({
  capabilityType: z.string().check(z.regex(CAPABILITY_PATTERN, 'capabilityType must match namespace:action')),
  description: z.optional(z.string()),
  riskLevel: z.optional(z.string()),
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

