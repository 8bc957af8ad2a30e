import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as z from 'zod/mini';
import {
  addMcpServersRequest,
  capabilityRequestRequest,
  detectionReportRequest,
  firstIssue,
  grantCapabilityRequest,
} from '../report/aim/schemas.js';
import { authenticate, createMcpServer, registerAgent, registerCapability, type Enforcement } from './signed.js';
import { CollectorState, DEMO_AGENT, DEMO_KEY, isUuid, type AgentState, type SeedAgent, type SeedKey } from './state.js';

/**
 * A small AIM-compatible server: the API-key routes of aim-protocol.md section 2.1 with AIM's
 * status codes and quirks (section 3.12), bodies validated with the reporter's own schemas, a
 * JSON-lines store, one readable stderr line per report, and a fault switch for tests.
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
   * Which generation of AIM this collector plays (aim-protocol.md section 0): `api-key` (default)
   * or `signed` (registration with the key, every sdk-api call signed; see signed.ts).
   */
  protocol?: 'api-key' | 'signed';
  /** Signed generation: the org's enforcement mode for `capabilities/register` (strict: 202 pending). */
  enforcement?: Enforcement;
  /** The server's clock minus the real one, in ms (tests of clock-skew correction). */
  clockOffsetMs?: number;
}

export type RouteName =
  | 'agent'
  | 'detection'
  | 'capabilities'
  | 'mcp-servers'
  | 'capability-requests'
  /** Signed generation: `POST /api/v1/agents` and `POST .../capabilities/register`. */
  | 'registration'
  | 'register'
  | 'other';

export interface Fault {
  /** Which route: a RouteName or `*`. */
  route: RouteName | '*';
  /** Answer with this status (and `body`, `retryAfter`). */
  status?: number;
  body?: unknown;
  retryAfter?: number | string;
  /** Wait this long (ms) first, then answer normally (or with `status`). */
  delay?: number;
  /** Never answer. */
  hang?: boolean;
  /** Destroy the connection. */
  reset?: boolean;
  /** Answer 200 with a body that is not JSON; `huge` sends 8 MiB of it. */
  garbage?: boolean | 'huge';
  /** How many matching requests (default 1; -1: until cleared). */
  count?: number;
}

export interface Received {
  seq: number;
  at: string;
  method: string;
  path: string;
  route: RouteName;
  agentId?: string;
  status: number | 'reset' | 'hang';
  /** How the key came: never the key itself. */
  auth: 'x-api-key' | 'bearer' | 'signature' | 'none';
  /** Label of the key that matched, if any. */
  key?: string;
  headers: Record<string, string>;
  body?: unknown;
  fault?: boolean;
}

export interface Collector {
  url: string;
  port: number;
  close(): Promise<void>;
  received(): Received[];
  setFault(fault: Fault): void;
  clearFaults(): void;
  revoke(agentId: string, capabilityType: string): boolean;
  state: CollectorState;
  /** Signed generation: switch the enforcement mode of `capabilities/register`. */
  setEnforcement(mode: Enforcement): void;
  setClockOffset(ms: number): void;
}

const SDK = '/api/v1/sdk-api';

export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const state = new CollectorState(options.agents ?? [DEMO_AGENT]);
  const keys = new Map<string, { org: string; label: string }>();
  for (const k of options.keys ?? [DEMO_KEY]) {
    const seed = typeof k === 'string' ? { key: k } : k;
    keys.set(seed.key, { org: seed.org ?? 'default', label: seed.label ?? fingerprint(seed.key) });
  }
  const rateLimit = options.rateLimit ?? 100;
  const window = options.detectionWindowMs ?? 24 * 3600 * 1000;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const received: Received[] = [];
  const faults: Fault[] = [];
  const signed = options.protocol === 'signed';
  let enforcement: Enforcement = options.enforcement ?? 'monitoring';
  let clockOffsetMs = options.clockOffsetMs ?? 0;
  const buckets = new Map<string, number[]>();
  const sockets = new Set<Socket>();
  let seq = 0;

  if (options.store) replay(options.store, state, new Map([...keys.values()].map((k) => [k.label, k.org])));

  function record(entry: Received): void {
    received.push(entry);
    if (options.store) {
      try {
        fs.appendFileSync(options.store, JSON.stringify(entry) + '\n');
      } catch {
        // the store is best effort
      }
    }
  }

  function takeFault(route: RouteName): Fault | undefined {
    const i = faults.findIndex((f) => f.route === route || f.route === '*');
    if (i < 0) return undefined;
    const fault = faults[i]!;
    if (fault.count !== -1) {
      fault.count = (fault.count ?? 1) - 1;
      if (fault.count <= 0) faults.splice(i, 1);
    }
    return fault;
  }

  const server = http.createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: true, message: 'Internal Server Error', timestamp: new Date().toISOString() });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://collector');
    const path = url.pathname;
    const text = await readBody(req);

    if (path.startsWith('/__aim/')) return control(req.method ?? 'GET', path, text, res);
    if (path === '/health' || path === '/api/v1/status') return send(res, 200, { status: 'healthy', service: 'aim collector' });

    const { route, param } = path === '/api/v1/agents' && req.method === 'POST' ? { route: 'registration' as const, param: undefined } : routeOf(req.method ?? 'GET', path);
    const entry: Received = {
      seq: ++seq,
      at: new Date().toISOString(),
      method: req.method ?? 'GET',
      path,
      route,
      status: 0,
      auth: 'none',
      headers: safeHeaders(req.headers),
    };
    if (param) entry.agentId = param;
    if (text) entry.body = parseOr(text);

    const fault = takeFault(route);
    if (fault) {
      entry.fault = true;
      if (fault.delay) await sleep(fault.delay);
      if (fault.hang) {
        entry.status = 'hang';
        record(entry);
        return;
      }
      if (fault.reset) {
        entry.status = 'reset';
        record(entry);
        req.socket.destroy();
        return;
      }
      if (fault.garbage) {
        entry.status = 200;
        record(entry);
        res.writeHead(200, { 'content-type': 'application/json' });
        if (fault.garbage === 'huge') {
          const chunk = Buffer.alloc(64 * 1024, 'x');
          for (let i = 0; i < 128 && !res.destroyed; i++) {
            if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
          }
          res.end();
        } else res.end('<html>this is not json{{{');
        return;
      }
      if (fault.status) {
        entry.status = fault.status;
        record(entry);
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
        send(res, fault.status, fault.body ?? { error: 'injected fault' }, headers);
        return;
      }
    }

    const answer = (status: number, body: unknown, headers: Record<string, string> = {}, line?: string): void => {
      entry.status = status;
      record(entry);
      if (clockOffsetMs) headers = { date: new Date(Date.now() + clockOffsetMs).toUTCString(), ...headers };
      send(res, status, body, headers);
      const who = entry.agentId ? state.agents.get(entry.agentId.toLowerCase())?.name ?? entry.agentId : '-';
      log(`aim collector: ${status} ${entry.method} ${route} ${who}${line ? `  ${line}` : ''}`);
    };

    if (signed && route === 'registration') {
      // MemberOrAPIKeyMiddleware: X-API-Key (X-AIM-API-Key is not read).
      const given = req.headers['x-api-key'];
      entry.auth = typeof given === 'string' ? 'x-api-key' : 'none';
      const holder = typeof given === 'string' ? keys.get(given) : undefined;
      if (!holder) return answer(401, { error: typeof given === 'string' ? 'Invalid API key' : 'No authentication token provided' });
      entry.key = holder.label;
      const a = registerAgent(state, holder.org, entry.body);
      if (a.status === 201) entry.agentId = (a.body as { id: string }).id;
      return answer(a.status, a.body, {}, a.line);
    }
    if (!path.startsWith(SDK + '/')) return answer(404, { error: `Cannot ${entry.method} ${path}` });

    let owner: { org: string; label: string } | undefined;
    let signer: AgentState | undefined;
    if (signed) {
      const auth = authenticate(state, { method: entry.method, target: req.url ?? path, body: text, headers: req.headers }, param, Date.now() + clockOffsetMs);
      if (!auth.ok) return answer(auth.answer.status, auth.answer.body, {}, auth.answer.line);
      signer = auth.agent;
      entry.auth = 'signature';
      owner = { org: signer.org, label: `org-${signer.org}` };
    }

    // APIKeyMiddleware: `Authorization: Bearer <key>` first, then `X-API-Key`.
    let key: string | undefined;
    const authorization = signer ? undefined : req.headers.authorization;
    if (authorization) {
      const [scheme, token] = authorization.split(' ');
      if (scheme === 'Bearer' && token !== undefined) {
        entry.auth = 'bearer';
        key = token;
        // Upstream quirk: a debug print slices key[:10] and panics on a shorter token.
        if (token.length < 10) {
          return answer(500, { error: true, message: 'Internal Server Error', timestamp: new Date().toISOString() });
        }
      }
    }
    if (!signer && key === undefined && typeof req.headers['x-api-key'] === 'string') {
      entry.auth = 'x-api-key';
      key = req.headers['x-api-key'];
    }
    if (!signer) {
      if (!key) return answer(401, { error: 'No API key provided' });
      owner = keys.get(key);
      if (!owner) return answer(401, { error: 'Invalid API key' });
    }
    entry.key = owner!.label;

    if (rateLimit > 0) {
      const now = Date.now();
      const bucket = (buckets.get(owner!.label) ?? []).filter((t) => now - t < 60_000);
      if (bucket.length >= rateLimit) {
        buckets.set(owner!.label, bucket);
        const retry = Math.max(1, Math.ceil((bucket[0]! + 60_000 - now) / 1000));
        return answer(429, { error: 'Rate limit exceeded. Please try again later.' }, { 'retry-after': String(retry) });
      }
      bucket.push(now);
      buckets.set(owner!.label, bucket);
    }

    const body = entry.body;
    const agentFor = (id: string): AgentState | undefined => state.agents.get(id.toLowerCase());

    switch (route) {
      case 'agent': {
        const identifier = decodeURIComponent(param ?? '');
        if (!identifier) return answer(400, { error: 'Agent identifier (ID or name) is required' });
        let agent: AgentState | undefined;
        if (isUuid(identifier)) {
          agent = agentFor(identifier);
          if (!agent) return answer(404, { error: 'Agent not found' });
          if (agent.org !== owner!.org) return answer(403, { error: 'Agent does not belong to your organization' });
        } else {
          agent = state.byName(owner!.org, identifier);
          if (!agent) {
            return answer(404, { error: 'Agent not found', message: `No agent found with name '${identifier}' in your organization` });
          }
        }
        const json = agentJson(agent, options.hideRevoked);
        return answer(200, { success: true, agent: json }, {}, `read (${(json.capabilities as unknown[]).length} capabilities)`);
      }
      case 'detection': {
        if (!isUuid(param ?? '')) return answer(400, { error: 'Invalid agent ID' });
        if (body === undefined || typeof body !== 'object') return answer(400, { error: 'Invalid request body' });
        const parsed = z.safeParse(detectionReportRequest, body);
        if (!parsed.success) return answer(400, { error: firstIssue(parsed.error) });
        const agent = agentFor(param!);
        if (!agent || agent.org !== owner!.org) return answer(500, { error: 'agent not found or unauthorized' });
        const now = Date.now();
        const newMCPs: string[] = [];
        const existingMCPs: string[] = [];
        for (const d of parsed.data.detections) {
          const k = `${d.mcpServer}|${d.detectionMethod}`;
          const last = agent.significant.get(k);
          if (last !== undefined && now - last < window) continue;
          agent.significant.set(k, now);
          if (agent.talksTo.includes(d.mcpServer)) existingMCPs.push(d.mcpServer);
          else {
            agent.talksTo.push(d.mcpServer);
            newMCPs.push(d.mcpServer);
          }
        }
        const n = parsed.data.detections.length;
        const significant = newMCPs.length + existingMCPs.length;
        return answer(
          200,
          {
            success: true,
            detectionsProcessed: n,
            newMCPs,
            existingMCPs,
            message: `Processed ${n} detections (${significant} significant, ${n - significant} filtered)`,
          },
          {},
          `${n} detection(s): ${parsed.data.detections.map((d) => `${d.mcpServer} (${d.detectionMethod})`).join(', ')}`,
        );
      }
      case 'capabilities': {
        if (!isUuid(param ?? '')) return answer(400, { error: 'Invalid agent ID' });
        if (body === undefined || typeof body !== 'object') return answer(400, { error: 'Invalid request body' });
        const parsed = z.safeParse(grantCapabilityRequest, body);
        if (!parsed.success) return answer(400, { error: firstIssue(parsed.error) });
        const agent = agentFor(param!);
        if (!agent) return answer(500, { error: `agent not found: ${param}` });
        const type = parsed.data.capabilityType;
        // The unique constraint (agent_id, capability_type) holds for revoked rows too.
        if (agent.capabilities.some((c) => c.capabilityType === type)) {
          return answer(
            500,
            { error: 'pq: duplicate key value violates unique constraint "unique_agent_capability"' },
            {},
            `${type} (duplicate)`,
          );
        }
        const cap = state.grant(agent, type, parsed.data.scope ?? {});
        return answer(201, cap, {}, `granted ${type}`);
      }
      case 'register': {
        if (!signer) return answer(404, { error: `Cannot ${entry.method} ${path}` });
        const a = registerCapability(state, signer, body, enforcement);
        return answer(a.status, a.body, {}, a.line);
      }
      case 'mcp-servers': {
        if (signer) {
          const a = createMcpServer(signer, body);
          return answer(a.status, a.body, {}, a.line);
        }
        if (!isUuid(param ?? '')) return answer(400, { error: 'Invalid agent ID' });
        if (body === undefined || typeof body !== 'object') return answer(400, { error: 'Invalid request body' });
        const parsed = z.safeParse(addMcpServersRequest, body);
        if (!parsed.success) return answer(400, { error: firstIssue(parsed.error) });
        const agent = agentFor(param!);
        if (!agent) return answer(404, { error: 'Agent not found' });
        if (agent.org !== owner!.org) return answer(403, { error: 'Access denied' });
        const added: string[] = [];
        for (const id of parsed.data.mcp_server_ids) {
          if (!agent.talksTo.includes(id)) {
            agent.talksTo.push(id);
            added.push(id);
          }
        }
        return answer(
          200,
          {
            message: `Successfully added ${added.length} MCP server(s)`,
            talks_to: agent.talksTo,
            added_servers: added,
            total_count: agent.talksTo.length,
          },
          {},
          `talks to ${parsed.data.mcp_server_ids.join(', ')}${added.length ? '' : ' (no change)'}`,
        );
      }
      case 'capability-requests': {
        if (!isUuid(param ?? '')) return answer(400, { error: 'Invalid agent ID' });
        const parsed = z.safeParse(capabilityRequestRequest, body ?? {});
        if (!parsed.success) return answer(400, { error: firstIssue(parsed.error) });
        const agent = agentFor(param!);
        if (!agent) return answer(500, { error: 'failed to create capability request', details: `agent not found: ${param}` });
        const type = parsed.data.capability_type;
        if (agent.capabilities.some((c) => c.capabilityType === type && !c.revokedAt)) {
          return answer(409, { error: `capability ${type} already granted` });
        }
        if (agent.capabilityRequests.some((r) => r.type === type && r.status === 'pending')) {
          return answer(409, { error: 'pending request already exists' });
        }
        agent.capabilityRequests.push({ type, status: 'pending' });
        const now = new Date().toISOString();
        return answer(201, {
          id: randomUUID(),
          agent_id: agent.id,
          capability_type: type,
          reason: parsed.data.reason,
          status: 'pending',
          requested_at: now,
          created_at: now,
          updated_at: now,
        });
      }
      default:
        return answer(404, { error: `Cannot ${entry.method} ${path}` });
    }
  }

  function control(method: string, path: string, text: string, res: http.ServerResponse): void {
    const body = (parseOr(text) ?? {}) as Record<string, unknown>;
    if (path === '/__aim/faults' && method === 'POST') {
      faults.push({ count: 1, ...(body as unknown as Fault) });
      return send(res, 200, { faults });
    }
    if (path === '/__aim/faults' && method === 'DELETE') {
      faults.length = 0;
      return send(res, 200, { faults });
    }
    if (path === '/__aim/received' && method === 'GET') return send(res, 200, received);
    if (path === '/__aim/revoke' && method === 'POST') {
      const ok = state.revoke(String(body.agentId ?? ''), String(body.capabilityType ?? ''));
      if (ok && options.store) {
        try {
          fs.appendFileSync(options.store, JSON.stringify({ revoke: { agentId: body.agentId, capabilityType: body.capabilityType } }) + '\n');
        } catch {
          // best effort
        }
      }
      return send(res, ok ? 200 : 404, { revoked: ok });
    }
    if (path === '/__aim/enforcement' && method === 'POST') {
      enforcement = body.mode === 'strict' ? 'strict' : 'monitoring';
      return send(res, 200, { enforcement });
    }
    if (path === '/__aim/clock' && method === 'POST') {
      clockOffsetMs = Number(body.offsetMs) || 0;
      return send(res, 200, { clockOffsetMs });
    }
    if (path === '/__aim/agents' && method === 'GET') {
      return send(res, 200, [...state.agents.values()].map((a) => agentJson(a)));
    }
    return send(res, 404, { error: 'unknown control route' });
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
    state,
    received: () => received.slice(),
    setFault: (fault) => faults.push({ count: 1, ...fault }),
    clearFaults: () => {
      faults.length = 0;
    },
    revoke: (agentId, type) => state.revoke(agentId, type),
    setEnforcement: (mode) => {
      enforcement = mode;
    },
    setClockOffset: (ms) => {
      clockOffsetMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function routeOf(method: string, path: string): { route: RouteName; param?: string } {
  const m = /^\/api\/v1\/sdk-api\/agents\/([^/]+)(?:\/(.+))?$/.exec(path);
  if (!m) return { route: 'other' };
  const [, param, rest] = m;
  if (!rest && method === 'GET') return { route: 'agent', param };
  if (method !== 'POST') return { route: 'other', param };
  if (rest === 'detection/report') return { route: 'detection', param };
  if (rest === 'capabilities') return { route: 'capabilities', param };
  if (rest === 'capabilities/register') return { route: 'register', param };
  if (rest === 'mcp-servers') return { route: 'mcp-servers', param };
  if (rest === 'capability-requests') return { route: 'capability-requests', param };
  return { route: 'other', param };
}

function agentJson(agent: AgentState, hideRevoked = false): Record<string, unknown> {
  return {
    id: agent.id,
    organization_id: agent.org,
    name: agent.name,
    display_name: agent.name,
    description: '',
    agent_type: 'ai_agent',
    status: agent.status ?? 'verified',
    version: '',
    public_key: agent.publicKey ?? null,
    trust_score: 0.75,
    verified_at: agent.createdAt,
    created_at: agent.createdAt,
    updated_at: agent.createdAt,
    talks_to: agent.talksTo,
    // Upstream lists domain.AgentCapability rows; revoked rows keep `revokedAt`.
    capabilities: hideRevoked ? agent.capabilities.filter((c) => !c.revokedAt) : agent.capabilities,
    capability_violation_count: 0,
    is_compromised: false,
  };
}

function replay(file: string, state: CollectorState, orgOfKey = new Map<string, string>()): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as Received & { revoke?: { agentId: string; capabilityType: string } };
      if (entry.revoke) {
        state.revoke(entry.revoke.agentId, entry.revoke.capabilityType);
        continue;
      }
      if (typeof entry.status !== 'number' || entry.status >= 300 || entry.fault || !entry.agentId) continue;
      const body = entry.body as Record<string, unknown> | undefined;
      if (entry.route === 'registration' && body && typeof body.name === 'string' && typeof body.publicKey === 'string') {
        const caps = Array.isArray(body.capabilities) ? body.capabilities.filter((c): c is string => typeof c === 'string') : [];
        const org = orgOfKey.get(entry.key ?? '') ?? 'default';
        const added = state.addAgent({ id: entry.agentId, name: body.name, org, capabilities: caps, publicKey: body.publicKey });
        added.status = 'pending';
        continue;
      }
      if (entry.route === 'register' && body && typeof body.capabilityType === 'string') {
        const agent = state.agents.get(entry.agentId.toLowerCase());
        const type = body.capabilityType;
        if (!agent) continue;
        if (entry.status === 202) agent.capabilityRequests.push({ type, status: 'pending' });
        else {
          const held = agent.capabilities.find((c) => c.capabilityType === type);
          if (held) delete held.revokedAt;
          else state.grant(agent, type, {});
        }
        continue;
      }
      const agent = state.agents.get(entry.agentId.toLowerCase());
      if (!agent || !body) continue;
      if (entry.route === 'capabilities' && typeof body.capabilityType === 'string') {
        if (!agent.capabilities.some((c) => c.capabilityType === body.capabilityType)) {
          state.grant(agent, body.capabilityType, (body.scope as Record<string, unknown>) ?? {});
        }
      } else if (entry.route === 'mcp-servers' && Array.isArray(body.mcp_server_ids)) {
        for (const id of body.mcp_server_ids) if (typeof id === 'string' && !agent.talksTo.includes(id)) agent.talksTo.push(id);
      } else if (entry.route === 'detection' && Array.isArray(body.detections)) {
        const at = Date.parse(entry.at);
        for (const d of body.detections as { mcpServer?: string; detectionMethod?: string }[]) {
          if (!d.mcpServer) continue;
          agent.significant.set(`${d.mcpServer}|${d.detectionMethod}`, at);
          if (!agent.talksTo.includes(d.mcpServer)) agent.talksTo.push(d.mcpServer);
        }
      }
    } catch {
      // a torn line: skip it
    }
  }
}

/** Header values we keep: names always, values only for harmless headers. */
function safeHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'x-api-key' || name === 'authorization' || name === 'cookie') out[name] = '[redacted]';
    else if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function fingerprint(key: string): string {
  return `key-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function parseOr(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 200);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
