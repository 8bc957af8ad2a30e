import type { PendingCapability } from './payload.js';

/**
 * The reason of a capability request (AIM_CAPABILITIES=request, `.../capability-requests`), built
 * from the evidence aim saw: which API, from which package, first seen when. At least 10
 * characters (AIM refuses shorter ones), at most 500.
 */
export function capabilityReason(capability: PendingCapability): string {
  const evidence = Array.isArray(capability.scope.evidence) ? (capability.scope.evidence as Record<string, unknown>[]) : [];
  const parts = evidence.slice(0, 3).map((e) => {
    const api = typeof e.api === 'string' ? e.api : '?';
    const who = typeof e.who === 'string' ? e.who : '?';
    return `${api} by ${who}`;
  });
  const first = typeof capability.scope.detectedAt === 'string' ? `, first seen ${capability.scope.detectedAt}` : '';
  const text = parts.length
    ? `aim-node observed ${capability.id} in use: ${parts.join('; ')}${first}`
    : `aim-node observed ${capability.id} in use by this agent${first}`;
  return text.slice(0, 500);
}
