import { agentJson } from './apikey.js';
import { mcpServerJson } from './mcp.js';
import type { Fault, Faults } from './faults.js';
import type { Enforcement } from './signed.js';
import type { CollectorState } from './state.js';
import { append, type Received } from './store.js';
import type { Answer } from './wire.js';

/**
 * The collector's control routes under `/__aim/`, for tests and demos: faults, what was
 * received, revocations, the enforcement mode, the clock. Not part of AIM.
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
