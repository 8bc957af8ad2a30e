import * as z from 'zod/mini';
import { createTransport, retryAfterMs, TransportError, type HttpResult, type Transport } from './http.js';
import type { PendingCapability, PendingDetection, PendingServer } from './payload.js';
import { capabilityReason } from './reason.js';
import {
  addMcpServersRequest,
  capabilityRequestRequest,
  detectionReportRequest,
  firstIssue,
  grantCapabilityRequest,
  readAgentView,
  type AgentView,
} from './schemas.js';

/**
 * The API-key generation of AIM's protocol (aim-protocol.md sections 1.1, 2.1, 3.1 to 3.3, 3.6,
 * 3.12): header `X-API-Key`, routes under `/api/v1/sdk-api/agents/{id}/...`. It builds each
 * request, checks its body with the shared schemas, sends it, and says what the answer means.
 * The reporter's scheduling, retry and diffing do not depend on this generation.
 */
export type Outcome =
  /** `pending`: AIM holds it for an administrator's approval (202; the signed generation's strict mode). */
  | { kind: 'ok'; agent?: AgentView; pending?: boolean }
  /** The server already has it: record and never send again. */
  | { kind: 'duplicate' }
  /** The server refuses this body: log once, drop the item. */
  | { kind: 'drop'; status: number; reason: string }
  /** The key is refused: stop reporting for this process. */
  /** `message`: the generation's own words for the warning (what is wrong, how to fix it). */
  | { kind: 'auth'; status: number; message?: string; serverSays?: string }
  | { kind: 'unknown-agent'; status: number; message?: string }
  /** Try again later. `countsAsTry` is false when the server could not be reached at all. */
  | { kind: 'retry'; status?: number; code?: string; retryAfterMs?: number; countsAsTry: boolean };

export interface Protocol {
  getAgent(identifier: string, opts: SendOptions): Promise<Outcome>;
  reportDetections(agentId: string, detections: PendingDetection[], opts: SendOptions): Promise<Outcome>;
  grantCapability(agentId: string, capability: PendingCapability, opts: SendOptions): Promise<Outcome>;
  addMcpServers(agentId: string, servers: PendingServer[], opts: SendOptions): Promise<Outcome>;
  /** AIM_CAPABILITIES=request: file a capability request instead of granting. */
  requestCapability?(agentId: string, capability: PendingCapability, opts: SendOptions): Promise<Outcome>;
  /** True when detection/report is how AIM learns the servers (signed generation): no mcp-servers call. */
  readonly serversViaDetections?: boolean;
  close(): void;
}

export interface SendOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

const BASE = '/api/v1/sdk-api';

export function createApiKeyProtocol(url: URL, apiKey: string, userAgent: string, transport?: Transport): Protocol {
  const http = transport ?? createTransport(url, apiKey, userAgent);

  async function send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    opts: SendOptions,
    classify: (r: HttpResult) => Outcome,
  ): Promise<Outcome> {
    let result: HttpResult;
    try {
      result = await http.request(method, path, body, opts);
    } catch (error) {
      const code = error instanceof TransportError ? error.code : 'ERROR';
      return { kind: 'retry', code, countsAsTry: false };
    }
    return classify(result);
  }

  function check<T>(schema: z.ZodMiniType<T>, body: unknown): Outcome | undefined {
    const parsed = z.safeParse(schema, body);
    return parsed.success ? undefined : { kind: 'drop', status: 0, reason: `not sent, invalid body: ${firstIssue(parsed.error)}` };
  }

  const agentPath = (id: string): string => `${BASE}/agents/${encodeURIComponent(id)}`;

  return {
    getAgent(identifier, opts) {
      return send('GET', agentPath(identifier), undefined, opts, (r) => {
        if (r.status === 200) {
          const agent = readAgentView(r.body);
          return agent ? { kind: 'ok', agent } : { kind: 'retry', status: 200, code: 'UNREADABLE', countsAsTry: true };
        }
        // 400 (no identifier) and 404 (no such agent): the agent id is wrong; 403: another org.
        if (r.status === 404 || r.status === 400) return { kind: 'unknown-agent', status: r.status };
        return common(r);
      });
    },
    reportDetections(agentId, detections, opts) {
      const body = { detections };
      const invalid = check(detectionReportRequest, body);
      if (invalid) return Promise.resolve(invalid);
      return send('POST', `${agentPath(agentId)}/detection/report`, body, opts, (r) => {
        if (r.status === 200 || r.status === 201) return { kind: 'ok' };
        if (r.status === 409) return { kind: 'duplicate' };
        return common(r);
      });
    },
    grantCapability(agentId, capability, opts) {
      const body = { capabilityType: capability.id, scope: capability.scope };
      const invalid = check(grantCapabilityRequest, body);
      if (invalid) return Promise.resolve(invalid);
      return send('POST', `${agentPath(agentId)}/capabilities`, body, opts, (r) => {
        if (r.status === 200 || r.status === 201) return { kind: 'ok' };
        // 409, and AIM's 500 on a duplicate grant (unique constraint): the agent is known to
        // exist (we read it first), so this is "already granted". Upstream's SDK retried it forever.
        if (r.status === 409 || r.status === 500) return { kind: 'duplicate' };
        return common(r);
      });
    },
    addMcpServers(agentId, servers, opts) {
      const confidence = Math.min(...servers.map((s) => s.confidence));
      const body = {
        mcp_server_ids: servers.map((s) => s.name),
        detected_method: 'auto_sdk',
        confidence: Number.isFinite(confidence) ? confidence : 90,
        metadata: {
          source: 'aim-node',
          servers: servers.map((s) => ({ name: s.name, transport: s.transport, confidence: s.confidence })),
        },
      };
      const invalid = check(addMcpServersRequest, body);
      if (invalid) return Promise.resolve(invalid);
      return send('POST', `${agentPath(agentId)}/mcp-servers`, body, opts, (r) => {
        if (r.status === 200 || r.status === 201) return { kind: 'ok' };
        if (r.status === 409) return { kind: 'duplicate' };
        return common(r);
      });
    },
    requestCapability(agentId, capability, opts) {
      const body = { capability_type: capability.id, reason: capabilityReason(capability) };
      const invalid = check(capabilityRequestRequest, body);
      if (invalid) return Promise.resolve(invalid);
      return send('POST', `${agentPath(agentId)}/capability-requests`, body, opts, (r) => {
        if (r.status === 200 || r.status === 201) return { kind: 'ok', pending: true };
        // Already granted, or a request already pending.
        if (r.status === 409) return { kind: 'duplicate' };
        return common(r);
      });
    },
    close() {
      http.close();
    },
  };
}

/** The status codes every route shares (section 3.12). */
export function common(r: HttpResult): Outcome {
  if (r.status === 401 || r.status === 403) return { kind: 'auth', status: r.status, serverSays: errorText(r) };
  if (r.status === 404) return { kind: 'unknown-agent', status: r.status };
  if (r.status === 429) return { kind: 'retry', status: 429, retryAfterMs: retryAfterMs(r.headers), countsAsTry: false };
  if (r.status >= 500) return { kind: 'retry', status: r.status, retryAfterMs: retryAfterMs(r.headers), countsAsTry: true };
  return { kind: 'drop', status: r.status, reason: errorText(r) };
}

/** The server's `error` string, short and printable; never echoes anything we sent. */
export function errorText(r: HttpResult): string {
  const body = r.body as { error?: unknown; message?: unknown } | undefined;
  const raw = typeof body?.error === 'string' ? body.error : typeof body?.message === 'string' ? body.message : '';
  return raw.replace(/[^\x20-\x7e]/g, ' ').slice(0, 160) || `HTTP ${r.status}`;
}
