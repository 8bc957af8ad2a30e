import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { hasMlDsa } from '../platform/index.js';
import {
  CAPABILITY_PATTERN,
  isMlDsaVariant,
  mlDsaPublicKey,
  firstIssue,
  flexible,
  publicKeyFromBase64,
  registerCapabilityRequest,
  registrationRequest,
  verifyRequest,
} from '../protocol/index.js';
import type { AgentState, CollectorState } from './state.js';
import type { Answer } from './wire.js';

/**
 * The collector's side of AIM's current (signed) generation (docs/aim-protocol.md): registration
 * with an API key and a client-made Ed25519 public key, agent-request-v1 verification with AIM's
 * refusal bodies and reason codes, path binding, `capabilities/register` under a switchable
 * enforcement mode, and the registration. server.ts routes to these; the API-key generation's routes
 * are in apikey.ts, the MCP records, usage, heartbeat and capability report in mcp.ts.
 */
export type Enforcement = 'monitoring' | 'strict';

/** `POST /api/v1/agents` with a valid X-API-Key (checked by the caller). Keys are read camelCase or snake_case. */
export function registerAgent(state: CollectorState, org: string, body: unknown): Answer {
  const flat = flexible(body);
  const parsed = z.safeParse(registrationRequest, flat);
  if (!parsed.success) return { status: 400, body: { error: firstIssue(parsed.error) } };
  const data = parsed.data;
  if (!publicKeyFromBase64(data.publicKey)) return { status: 400, body: { error: 'publicKey must be a base64 Ed25519 public key (32 bytes)' } };
  if (state.byName(org, data.name)) return { status: 409, body: { error: 'an agent with this name already exists' }, line: `${data.name}: name taken` };
  const bad = (data.capabilities ?? []).find((c) => !CAPABILITY_PATTERN.test(c));
  if (bad !== undefined) return { status: 400, body: { error: `invalid capability ${JSON.stringify(bad.slice(0, 60))}: must match namespace:action` } };
  const agent = state.addAgent({ id: randomUUID(), name: data.name, org, capabilities: [...new Set(data.capabilities ?? [])] });
  agent.publicKey = data.publicKey;
  agent.status = 'pending';
  // The ML-DSA key, kept only where this Node can verify it: elsewhere the agent is told it has
  // none (upstream's words) and signs with Ed25519 after one warning.
  let pqcLine = '';
  if (data.pqcPublicKey !== undefined || data.pqcKeyAlgorithm !== undefined) {
    const variant = data.pqcKeyAlgorithm;
    if (!isMlDsaVariant(variant)) return { status: 400, body: { error: 'Invalid PQC algorithm' } };
    if (!hasMlDsa()) pqcLine = ` (${variant} key not kept: this Node has no ML-DSA)`;
    else if (!mlDsaPublicKey(variant, data.pqcPublicKey ?? '')) return { status: 400, body: { error: 'Invalid public key size' } };
    else {
      Object.assign(agent, { pqcPublicKey: data.pqcPublicKey, pqcKeyAlgorithm: variant, hybridModeEnabled: data.hybridModeEnabled === true });
      pqcLine = ` with ${variant}`;
    }
  }
  for (const t of data.talksTo ?? []) if (!agent.talksTo.includes(t)) agent.talksTo.push(t);
  return {
    status: 201,
    body: {
      id: agent.id,
      organizationId: agent.org,
      name: agent.name,
      displayName: data.displayName ?? agent.name,
      description: data.description ?? '',
      agentType: data.agentType ?? 'custom',
      status: agent.status,
      version: data.version ?? '',
      publicKey: agent.publicKey,
      keyAlgorithm: 'Ed25519',
      ...(agent.pqcPublicKey ? { pqcPublicKey: agent.pqcPublicKey, pqcKeyAlgorithm: agent.pqcKeyAlgorithm } : {}),
      hybridModeEnabled: agent.hybridModeEnabled === true,
      trustScore: 0.5,
      createdAt: agent.createdAt,
      updatedAt: agent.createdAt,
      talksTo: agent.talksTo,
      capabilities: agent.capabilities.map((c) => c.capabilityType),
      tags: [],
      metadata: data.metadata ?? {},
    },
    line: `registered ${agent.name} (${agent.capabilities.length} capabilities)${pqcLine}`,
  };
}

export type Authenticated = { ok: true; agent: AgentState } | { ok: false; answer: Answer };

/**
 * The sdk-api group's middleware in the signed generation: an Authorization header goes to the
 * JWT middleware (we have no JWTs: 401); no X-Agent-ID/X-Timestamp: JWT fallback, 401; then the
 * signature, the agent's status gate, and path binding (403 when `:id` is not the signer).
 */
export function authenticate(
  state: CollectorState,
  req: { method: string; target: string; body: string; headers: Record<string, string | string[] | undefined> },
  param: string | undefined,
  nowMs: number,
): Authenticated {
  if (req.headers.authorization) return { ok: false, answer: { status: 401, body: { error: 'Invalid or expired token' } } };
  const result = verifyRequest({
    method: req.method,
    target: req.target,
    body: req.body,
    headers: req.headers,
    registeredKey: (id) => state.agents.get(id)?.publicKey,
    registeredPqcKey: (id) => {
      // The key of the variant the request names (upstream checks the size against X-Algorithm).
      const agent = state.agents.get(id);
      const named = String(req.headers['x-algorithm'] ?? '').replace('Ed25519+', '');
      return agent?.pqcKeyAlgorithm === named ? agent.pqcPublicKey : undefined;
    },
    now: Math.floor(nowMs / 1000),
  });
  if (!result.ok) {
    const body: Record<string, string> = { error: result.error };
    if (result.reasonCode) body.reasonCode = result.reasonCode;
    return { ok: false, answer: { status: result.status, body, line: result.reasonCode ?? (result.noSignature ? 'no signature' : result.error) } };
  }
  const agent = state.agents.get(result.agentId)!;
  const status = agent.status ?? 'verified';
  if (status !== 'pending' && status !== 'verified') {
    return {
      ok: false,
      answer: { status: 401, body: { error: `Agent is not permitted to authenticate (status: ${status})`, reasonCode: 'agentStatusDenied' } },
    };
  }
  if (param !== undefined) {
    const id = safeDecode(param);
    if (id.toLowerCase() !== agent.id && id !== agent.name) {
      return {
        ok: false,
        answer: { status: 403, body: { error: 'An agent may only act on its own agent ID on this route', reasonCode: 'agent_path_mismatch' } },
      };
    }
  }
  return { ok: true, agent };
}

/** `POST .../capabilities/register`: 201 granted (monitoring), 202 pending (strict), 409 already there. */
export function registerCapability(state: CollectorState, agent: AgentState, body: unknown, enforcement: Enforcement): Answer {
  const parsed = z.safeParse(registerCapabilityRequest, body ?? {});
  if (!parsed.success) return { status: 400, body: { error: firstIssue(parsed.error) } };
  const type = parsed.data.capabilityType;
  const held = agent.capabilities.find((c) => c.capabilityType === type);
  if (held && !held.revokedAt) {
    return {
      status: 409,
      body: { success: true, capabilityType: type, status: 'already_exists', message: 'Capability already granted to this agent' },
      line: `${type} (already granted)`,
    };
  }
  const pending = agent.capabilityRequests.find((r) => r.type === type && r.status === 'pending');
  if (pending) {
    return {
      status: 409,
      body: { success: true, capabilityType: type, status: 'pending', message: 'A request for this capability is already pending' },
      line: `${type} (already pending)`,
    };
  }
  if (enforcement === 'strict') {
    const requestId = randomUUID();
    agent.capabilityRequests.push({ type, status: 'pending' });
    return {
      status: 202,
      body: { success: true, capabilityType: type, status: 'pending', message: 'Capability request created (strict mode): pending approval', requestId },
      line: `${type} pending approval`,
    };
  }
  if (held?.revokedAt) {
    // As AIM's active-only check would: a revoked row does not count, so the capability comes back.
    // Only the client's restraint keeps an administrator's revocation (the tests watch for this line).
    delete held.revokedAt;
    held.updatedAt = new Date().toISOString();
    return {
      status: 201,
      body: { success: true, capabilityType: type, status: 'granted', message: 'Capability auto-granted (monitoring mode)' },
      line: `RE-GRANTED revoked ${type}`,
    };
  }
  state.grant(agent, type, { source: 'capabilities/register', description: parsed.data.description ?? '' });
  return {
    status: 201,
    body: { success: true, capabilityType: type, status: 'granted', message: 'Capability auto-granted (monitoring mode)' },
    line: `granted ${type}`,
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
