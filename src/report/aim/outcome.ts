import * as z from 'zod/mini';
import { firstIssue, type AgentView, type McpUsageReportRequest } from '../../protocol/index.js';
import { retryAfterMs, type HttpResult } from './http.js';
import type { PendingCapability, PendingDetection, PendingServer } from './payload.js';
import type { PendingConnection, PendingRecord, PendingReport } from './records.js';

/**
 * What an answer of AIM means to the reporter, whichever generation gave it: each protocol
 * (apikey.ts, signed.ts) turns its answers into these, and the reporter's scheduling, retry and
 * diffing read only these.
 */
export type Outcome =
  /** `pending`: AIM holds it for an administrator's approval (202; the signed generation's strict mode). */
  /** `id`: what AIM named a record it created (an MCP server record's id). */
  | { kind: 'ok'; agent?: AgentView; pending?: boolean; id?: string }
  /** The server already has it: record and never send again (`id`: the existing record's, when it says). */
  | { kind: 'duplicate'; id?: string }
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
  /** The current AIM's MCP records, usage, liveness and capability report (signed generation only). */
  readonly records?: SignedRecords;
  close(): void;
}

export interface SignedRecords {
  /** Creates the MCP server record; ok or duplicate with its id. */
  createMcpServer(agentId: string, record: PendingRecord, opts: SendOptions): Promise<Outcome>;
  recordConnection(agentId: string, serverId: string, connection: PendingConnection, opts: SendOptions): Promise<Outcome>;
  reportUsage(agentId: string, body: McpUsageReportRequest, opts: SendOptions): Promise<Outcome>;
  heartbeat(agentId: string, opts: SendOptions): Promise<Outcome>;
  reportCapabilities(agentId: string, report: PendingReport, opts: SendOptions): Promise<Outcome>;
}

export interface SendOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What to do when an AIM refuses API keys on its agent routes (the current generation). */
export const SIGNED_ONLY =
  'this AIM refuses API keys on its agent routes (/api/v1/sdk-api): it is the current AIM, which wants every call signed by the agent. ' +
  'Unset AIM_PROTOCOL (or set AIM_PROTOCOL=signed): aim then registers the agent with AIM_API_KEY and signs every call. Reporting is off for this process.';

/** The status codes every route shares (section 3.12). */
export function common(r: HttpResult): Outcome {
  if (r.status === 401 && !/api key/i.test(errorText(r))) {
    // Not a word about the key: the current AIM, which takes no API key on its agent routes.
    return { kind: 'auth', status: 401, serverSays: errorText(r), message: SIGNED_ONLY };
  }
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

/** A body that our own schema refuses is never sent: the reporter drops it with the reason. */
export function checkBody<T>(schema: z.ZodMiniType<T>, body: unknown): Outcome | undefined {
  const parsed = z.safeParse(schema, body);
  return parsed.success ? undefined : { kind: 'drop', status: 0, reason: `not sent, invalid body: ${firstIssue(parsed.error)}` };
}
