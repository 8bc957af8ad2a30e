import * as fs from 'node:fs';
import type { RouteName } from '../protocol/index.js';
import type { CollectorState } from './state.js';

/**
 * The collector's JSON-lines store: every request appended as it was received (never a key),
 * revocations too; at start, the accepted ones are replayed so a restarted collector knows what
 * AIM would.
 */
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

/** Appends one line; the store is best effort. */
export function append(file: string | undefined, entry: unknown): void {
  if (!file) return;
  try {
    // 0600: the store holds what agents reported (never a key, still nobody else's business).
    fs.appendFileSync(file, JSON.stringify(entry) + '\n', { mode: 0o600 });
  } catch {
    // best effort
  }
}

export function replay(file: string, state: CollectorState, orgOfKey = new Map<string, string>()): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      replayOne(JSON.parse(line) as Received & { revoke?: { agentId: string; capabilityType: string } }, state, orgOfKey);
    } catch {
      // a torn line: skip it
    }
  }
}

function replayOne(entry: Received & { revoke?: { agentId: string; capabilityType: string } }, state: CollectorState, orgOfKey: Map<string, string>): void {
  if (entry.revoke) {
    state.revoke(entry.revoke.agentId, entry.revoke.capabilityType);
    return;
  }
  if (typeof entry.status !== 'number' || entry.status >= 300 || entry.fault || !entry.agentId) return;
  const body = entry.body as Record<string, unknown> | undefined;
  if (entry.route === 'registration' && body && typeof body.name === 'string' && typeof body.publicKey === 'string') {
    const caps = Array.isArray(body.capabilities) ? body.capabilities.filter((c): c is string => typeof c === 'string') : [];
    const org = orgOfKey.get(entry.key ?? '') ?? 'default';
    const added = state.addAgent({ id: entry.agentId, name: body.name, org, capabilities: caps, publicKey: body.publicKey });
    added.status = 'pending';
    return;
  }
  const agent = state.agents.get(entry.agentId.toLowerCase());
  if (!agent || !body) return;
  if (entry.route === 'register' && typeof body.capabilityType === 'string') {
    const type = body.capabilityType;
    if (entry.status === 202) agent.capabilityRequests.push({ type, status: 'pending' });
    else {
      const held = agent.capabilities.find((c) => c.capabilityType === type);
      if (held) delete held.revokedAt;
      else state.grant(agent, type, {});
    }
  } else if (entry.route === 'capabilities' && typeof body.capabilityType === 'string') {
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
}
