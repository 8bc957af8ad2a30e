import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type * as http from 'node:http';
import { agentJson } from './apikey.js';
import { mcpServerJson } from './mcp.js';
import type { Fault, Faults } from './faults.js';
import type { Enforcement } from './signed.js';
import type { CollectorState } from './state.js';
import { append, type Received } from './store.js';
import type { Answer } from './wire.js';

/**
 * The collector's control routes under `/__aim/`, for tests and demos: faults, what was
 * received, revocations, the enforcement mode, the clock. Not part of AIM. They need the
 * collector's token (`Authorization: Bearer <token>`), and refuse what a web page could send.
 */
export interface Controls {
  state: CollectorState;
  faults: Faults;
  received: Received[];
  store: string | undefined;
  setEnforcement(mode: Enforcement): Enforcement;
  setClockOffset(ms: number): number;
}

type ControlRoute = (c: Controls, body: Record<string, unknown>) => Answer;

const controlRoutes: Record<string, ControlRoute> = {
  'POST /__aim/faults': (c, body) => {
    c.faults.add(body as unknown as Fault);
    return { status: 200, body: { faults: c.faults.list } };
  },
  'DELETE /__aim/faults': (c) => {
    c.faults.clear();
    return { status: 200, body: { faults: c.faults.list } };
  },
  'GET /__aim/received': (c) => ({ status: 200, body: c.received }),
  'POST /__aim/revoke': (c, body) => {
    const ok = c.state.revoke(String(body.agentId ?? ''), String(body.capabilityType ?? ''));
    if (ok) append(c.store, { revoke: { agentId: body.agentId, capabilityType: body.capabilityType } });
    return { status: ok ? 200 : 404, body: { revoked: ok } };
  },
  'POST /__aim/enforcement': (c, body) => ({ status: 200, body: { enforcement: c.setEnforcement(body.mode === 'strict' ? 'strict' : 'monitoring') } }),
  'POST /__aim/clock': (c, body) => ({ status: 200, body: { clockOffsetMs: c.setClockOffset(Number(body.offsetMs) || 0) } }),
  'GET /__aim/agents': (c) => ({ status: 200, body: [...c.state.agents.values()].map((a) => agentJson(a)) }),
  /** The current AIM's MCP server records, with each agent's tools and usage (what a dashboard shows). */
  'GET /__aim/mcp-servers': (c) => ({
    status: 200,
    body: [...c.state.mcpServers.values()].map((s) => ({
      ...mcpServerJson(s),
      connections: Object.fromEntries([...s.connections].map(([agent, tools]) => [agent, [...tools].sort()])),
      usage: Object.fromEntries(s.usage),
    })),
  }),
};

export function control(controls: Controls, method: string, path: string, body: unknown): Answer {
  const route = controlRoutes[`${method} ${path}`];
  if (!route) return { status: 404, body: { error: 'unknown control route' } };
  return route(controls, (body && typeof body === 'object' ? body : {}) as Record<string, unknown>);
}

/** A control token: 32 random bytes, URL-safe (it travels in a header and sits in a file). */
export function newControlToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What `--token` accepts: long enough not to be guessed, and nothing a header cannot carry. */
export function isControlToken(value: string): boolean {
  return /^[A-Za-z0-9._~+\/=-]{16,512}$/.test(value);
}

/**
 * Why a control request is refused, or undefined when it may run. Checked before anything
 * happens, in this order:
 * - a web page: a browser sends an Origin on the requests that could reach these routes, and a
 *   Host of the page's name after DNS rebinding, so no Origin and a loopback Host (or the
 *   address it was reached on);
 * - another local user or process: the token (`Authorization: Bearer`), compared in constant time;
 * - a form, which can only send text/plain: JSON bodies only.
 */
export function controlRefusal(req: http.IncomingMessage, method: string, token: string): Answer | undefined {
  if (req.headers.origin !== undefined) return { status: 403, body: { error: 'control routes take no cross-origin requests' } };
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const local = req.socket.localAddress?.replace(/^::ffff:/, '');
  if (!(host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === local)) {
    return { status: 403, body: { error: 'control routes answer only to a loopback Host' } };
  }
  const given = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (given === undefined || !sameSecret(given, token)) {
    return {
      status: 401,
      body: { error: 'control routes need the collector\'s token: Authorization: Bearer <token> (printed at start, and in its token file)' },
      headers: { 'www-authenticate': 'Bearer realm="aim collector control"' },
    };
  }
  const type = req.headers['content-type'];
  if (method !== 'GET' && method !== 'DELETE' && !(typeof type === 'string' && /^application\/json\b/i.test(type))) {
    return { status: 415, body: { error: 'control routes take JSON (content-type: application/json)' } };
  }
  return undefined;
}

/** Constant time whatever the lengths: the digests are compared, never the strings. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
