import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { routeOf, SDK_API, type RouteName } from '../protocol/index.js';
import { apiKeyRoutes } from './apikey.js';
import { control, controlRefusal, newControlToken } from './control.js';
import { Faults, playFault, type Fault } from './faults.js';
import { capabilityReport, createMcpServer, heartbeat, mcpServerByName, recordConnection, recordUsage } from './mcp.js';
import { authenticate, registerAgent, registerCapability, type Enforcement } from './signed.js';
import { CollectorState, DEMO_AGENT, DEMO_KEY, type AgentState, type SeedAgent, type SeedKey } from './state.js';
import { append, replay, type Received } from './store.js';
import { internalError, parseOr, readBody, safeHeaders, send, type Answer } from './wire.js';

/**
 * A small AIM-compatible server: AIM's routes of either generation with its status codes and
 * quirks (docs/aim-protocol.md), bodies validated with the protocol's own schemas, a JSON-lines
 * store, one readable stderr line per report, and faults for tests. This file authenticates and
 * dispatches; the routes are in apikey.ts and signed.ts, the control routes in control.ts.
 */
export interface CollectorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** JSON-lines file: every request is appended; accepted ones are replayed at start. */
  store?: string;
  /** Agents AIM knows. Default: the demo agent. */
  agents?: SeedAgent[];
  /** Keys AIM accepts. Default: the demo key. */
  keys?: (string | SeedKey)[];
  /** Requests per minute per key (AIM: 100); 0 turns the limit off. */
  rateLimit?: number;
  /** Detection dedupe window (AIM: 24 h; 5 min when ENVIRONMENT=development). */
  detectionWindowMs?: number;
  /**
   * Upstream's agent read lists active capabilities only (GetAgentCapabilities(activeOnly=true));
   * the collector lists revoked ones too, with `revokedAt`, unless this is set.
   */
  hideRevoked?: boolean;
  /** One line per request; default stderr. */
  log?: (line: string) => void;
  /**
   * Which generation of AIM this collector plays: `api-key` (default) or `signed` (registration
   * with the key, every sdk-api call signed; see signed.ts).
   */
  protocol?: 'api-key' | 'signed';
  /** Signed generation: the org's enforcement mode for `capabilities/register` (strict: 202 pending). */
  enforcement?: Enforcement;
  /** The server's clock minus the real one, in ms (tests of clock-skew correction). */
  clockOffsetMs?: number;
  /** The token the control routes (`/__aim/*`) need as `Authorization: Bearer`. Default: 32 random bytes. */
  token?: string;
}

export type { Fault, Received, RouteName };

export interface Collector {
  url: string;
  port: number;
  /** What the control routes (`/__aim/*`) need: `Authorization: Bearer <token>`. */
  token: string;
  close(): Promise<void>;
  received(): Received[];
  /** Requests refused (counted, not kept with their bodies) and requests not kept past the caps. */
  counts(): { refused: number; dropped: number };
  setFault(fault: Fault): void;
  clearFaults(): void;
  revoke(agentId: string, capabilityType: string): boolean;
  state: CollectorState;
  /** Signed generation: switch the enforcement mode of `capabilities/register`. */
  setEnforcement(mode: Enforcement): void;
  setClockOffset(ms: number): void;
}

interface Caller {
  org: string;
  label: string;
  /** Signed generation: the agent that signed. */
  signer?: AgentState;
}

export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const state = new CollectorState(options.agents ?? [DEMO_AGENT]);
  const keys = new Map<string, { org: string; label: string }>();
  for (const k of options.keys ?? [DEMO_KEY]) {
    const seed = typeof k === 'string' ? { key: k } : k;
    keys.set(seed.key, { org: seed.org ?? 'default', label: seed.label ?? fingerprint(seed.key) });
  }
  const token = options.token || newControlToken();
  const rateLimit = options.rateLimit ?? 100;
  const window = options.detectionWindowMs ?? 24 * 3600 * 1000;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const received: Received[] = [];
  const faults = new Faults();
  const signed = options.protocol === 'signed';
  let enforcement: Enforcement = options.enforcement ?? 'monitoring';
  let clockOffsetMs = options.clockOffsetMs ?? 0;
  const buckets = new Map<string, number[]>();
  const sockets = new Set<Socket>();
  let seq = 0;
  let keptBytes = 0;
  let refusedCount = 0;
  let droppedCount = 0;
  const controls = {
    state,
    faults,
    received,
    store: options.store,
    setEnforcement: (mode: Enforcement) => (enforcement = mode),
    setClockOffset: (ms: number) => (clockOffsetMs = ms),
  };

  if (options.store) replay(options.store, state, new Map([...keys.values()].map((k) => [k.label, k.org])));

  /**
   * What is kept is bounded (count and bytes): 677k refused requests once took the collector to
   * 1.1 GB. A refused request (401, 403, 404, 429) is counted, never kept with its body.
   */
  function record(entry: Received): void {
    if (typeof entry.status === 'number' && entry.status >= 400 && entry.status < 500 && entry.status !== 400 && entry.status !== 409) {
      refusedCount++;
      delete entry.body;
    }
    const size = JSON.stringify(entry).length;
    if (received.length >= MAX_KEPT || keptBytes + size > MAX_KEPT_BYTES) {
      droppedCount++;
      return;
    }
    keptBytes += size;
    received.push(entry);
    append(options.store, entry);
  }

  const server = http.createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, internalError().body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://collector');
    const path = url.pathname;
    const text = await readBody(req);

    if (path.startsWith('/__aim/')) {
      const refused = controlRefusal(req, method, token);
      if (refused) return send(res, refused.status, refused.body, refused.headers);
      const a = control(controls, method, path, parseOr(text));
      return send(res, a.status, a.body);
    }
    if (path === '/health' || path === '/api/v1/status') return send(res, 200, { status: 'healthy', service: 'aim collector' });

    const { route, param } = routeOf(method, path);
    const entry: Received = { seq: ++seq, at: new Date().toISOString(), method, path, route, status: 0, auth: 'none', headers: safeHeaders(req.headers) };
    if (param) entry.agentId = param;
    if (text) entry.body = parseOr(text);

    const fault = faults.take(route);
    if (fault) {
      entry.fault = true;
      const played = await playFault(fault, req, res, (status) => record({ ...entry, status }));
      if (played) return;
    }

    const answer = (a: Answer): void => {
      entry.status = a.status;
      record(entry);
      const headers = clockOffsetMs ? { date: new Date(Date.now() + clockOffsetMs).toUTCString(), ...a.headers } : a.headers;
      send(res, a.status, a.body, headers);
      const who = entry.agentId ? (state.agents.get(entry.agentId.toLowerCase())?.name ?? entry.agentId) : '-';
      log(`aim collector: ${a.status} ${method} ${route} ${who}${a.line ? `  ${a.line}` : ''}`);
    };

    if (signed && route === 'registration') return answer(registration(req, entry));
    if (!path.startsWith(SDK_API + '/') && route !== 'capability-report') return answer({ status: 404, body: { error: `Cannot ${method} ${path}` } });

    const caller = signed ? signedCaller(req, text, param, entry) : apiKeyCaller(req, entry);
    if ('status' in caller) return answer(caller);
    entry.key = caller.label;
    const limited = rateLimited(caller.label);
    if (limited) return answer(limited);

    const body = entry.body;
    const signer = caller.signer;
    if (signer) {
      const signedRoute = signedRoutes[route];
      if (signedRoute) return answer(signedRoute(signer, body, url));
    }
    const handler = apiKeyRoutes[route];
    if (!handler) return answer({ status: 404, body: { error: `Cannot ${method} ${path}` } });
    return answer(handler({ state, org: caller.org, param, body, window, ...(options.hideRevoked ? { hideRevoked: true } : {}) }));
  }

  /** The routes only the signed generation has (its agent is known from the signature). */
  const signedRoutes: Partial<Record<RouteName, (agent: AgentState, body: unknown, url: URL) => Answer>> = {
    register: (agent, body) => registerCapability(state, agent, body, enforcement),
    'mcp-servers': (agent, body) => createMcpServer(state, agent, body),
    'mcp-server-by-name': (agent, _body, url) => mcpServerByName(state, agent, url.searchParams.get('name')),
    'mcp-connections': (agent, body) => recordConnection(state, agent, body),
    'mcp-usage-report': (agent, body) => recordUsage(state, agent, body),
    heartbeat: (agent) => heartbeat(agent),
    'capability-report': (agent, body) => capabilityReport(agent, body),
  };

  /** Signed generation: `POST /api/v1/agents` behind MemberOrAPIKeyMiddleware (X-API-Key; X-AIM-API-Key is not read). */
  function registration(req: http.IncomingMessage, entry: Received): Answer {
    const given = req.headers['x-api-key'];
    entry.auth = typeof given === 'string' ? 'x-api-key' : 'none';
    const holder = typeof given === 'string' ? keys.get(given) : undefined;
    if (!holder) return { status: 401, body: { error: typeof given === 'string' ? 'Invalid API key' : 'No authentication token provided' } };
    entry.key = holder.label;
    const a = registerAgent(state, holder.org, entry.body);
    if (a.status === 201) entry.agentId = (a.body as { id: string }).id;
    return a;
  }

  function signedCaller(req: http.IncomingMessage, text: string, param: string | undefined, entry: Received): Caller | Answer {
    const auth = authenticate(state, { method: entry.method, target: req.url ?? entry.path, body: text, headers: req.headers }, param, Date.now() + clockOffsetMs);
    if (!auth.ok) return auth.answer;
    entry.auth = 'signature';
    return { org: auth.agent.org, label: `org-${auth.agent.org}`, signer: auth.agent };
  }

  /** APIKeyMiddleware: `Authorization: Bearer <key>` first, then `X-API-Key`. */
  function apiKeyCaller(req: http.IncomingMessage, entry: Received): Caller | Answer {
    let key: string | undefined;
    const authorization = req.headers.authorization;
    if (authorization) {
      const [scheme, token] = authorization.split(' ');
      if (scheme === 'Bearer' && token !== undefined) {
        entry.auth = 'bearer';
        key = token;
        // Upstream quirk: a debug print slices key[:10] and panics on a shorter token.
        if (token.length < 10) return internalError();
      }
    }
    if (key === undefined && typeof req.headers['x-api-key'] === 'string') {
      entry.auth = 'x-api-key';
      key = req.headers['x-api-key'];
    }
    if (!key) return { status: 401, body: { error: 'No API key provided' } };
    return keys.get(key) ?? { status: 401, body: { error: 'Invalid API key' } };
  }

  /** AIM's per-key limit: a 429 with Retry-After once a minute's budget is spent. */
  function rateLimited(label: string): Answer | undefined {
    if (rateLimit <= 0) return undefined;
    const now = Date.now();
    const bucket = (buckets.get(label) ?? []).filter((t) => now - t < 60_000);
    buckets.set(label, bucket);
    if (bucket.length >= rateLimit) {
      const retry = Math.max(1, Math.ceil((bucket[0]! + 60_000 - now) / 1000));
      return { status: 429, body: { error: 'Rate limit exceeded. Please try again later.' }, headers: { 'retry-after': String(retry) } };
    }
    bucket.push(now);
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    token,
    state,
    received: () => received.slice(),
    counts: () => ({ refused: refusedCount, dropped: droppedCount }),
    setFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    revoke: (agentId, type) => state.revoke(agentId, type),
    setEnforcement: (mode) => void controls.setEnforcement(mode),
    setClockOffset: (ms) => void controls.setClockOffset(ms),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function fingerprint(key: string): string {
  return `key-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/** What the collector keeps of what it receives: beyond this, requests are counted, not kept. */
const MAX_KEPT = 20_000;
const MAX_KEPT_BYTES = 64 * 1024 * 1024;
