import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { isUuid } from '../platform/index.js';
import {
  addMcpServersRequest,
  capabilityRequestRequest,
  detectionReportRequest,
  firstIssue,
  grantCapabilityRequest,
  type RouteName,
} from '../protocol/index.js';
import type { AgentState, CollectorState } from './state.js';
import type { Answer } from './wire.js';

/**
 * The routes under `/api/v1/sdk-api/agents/{id}` as AIM's API-key generation answers them
 * (docs/aim-protocol.md), with its status codes and quirks: bodies validated with the protocol's
 * schemas, the detection dedupe window, the 500 on a duplicate grant. The signed generation
 * shares the agent read, the detections and the capability requests; its own routes are in
 * signed.ts.
 */
export interface RouteContext {
  state: CollectorState;
  /** The organisation of the caller (its key, or its agent). */
  org: string;
  /** The `{id}` of the path, still escaped. */
  param: string | undefined;
  body: unknown;
  /** Detection dedupe window, ms. */
  window: number;
  hideRevoked?: boolean;
}

type Route = (c: RouteContext) => Answer;

const invalidAgentId: Answer = { status: 400, body: { error: 'Invalid agent ID' } };

export const apiKeyRoutes: Partial<Record<RouteName, Route>> = {
  agent: readAgent,
  detection: reportDetections,
  capabilities: grantCapability,
  'mcp-servers': addMcpServers,
  'capability-requests': requestCapability,
};

function readAgent(c: RouteContext): Answer {
  const identifier = decodeURIComponent(c.param ?? '');
  if (!identifier) return { status: 400, body: { error: 'Agent identifier (ID or name) is required' } };
  let agent: AgentState | undefined;
  if (isUuid(identifier)) {
    agent = c.state.agents.get(identifier.toLowerCase());
    if (!agent) return { status: 404, body: { error: 'Agent not found' } };
    if (agent.org !== c.org) return { status: 403, body: { error: 'Agent does not belong to your organization' } };
  } else {
    agent = c.state.byName(c.org, identifier);
    if (!agent) return { status: 404, body: { error: 'Agent not found', message: `No agent found with name '${identifier}' in your organization` } };
  }
  const json = agentJson(agent, c.hideRevoked);
  return { status: 200, body: { success: true, agent: json }, line: `read (${(json.capabilities as unknown[]).length} capabilities)` };
}

function reportDetections(c: RouteContext): Answer {
  if (!isUuid(c.param ?? '')) return invalidAgentId;
  if (c.body === undefined || typeof c.body !== 'object') return { status: 400, body: { error: 'Invalid request body' } };
  const parsed = z.safeParse(detectionReportRequest, c.body);
  if (!parsed.success) return { status: 400, body: { error: firstIssue(parsed.error) } };
  const agent = c.state.agents.get(c.param!.toLowerCase());
  if (!agent || agent.org !== c.org) return { status: 500, body: { error: 'agent not found or unauthorized' } };
  const now = Date.now();
  const newMCPs: string[] = [];
  const existingMCPs: string[] = [];
  for (const d of parsed.data.detections) {
    const k = `${d.mcpServer}|${d.detectionMethod}`;
    const last = agent.significant.get(k);
    if (last !== undefined && now - last < c.window) continue;
    agent.significant.set(k, now);
    if (agent.talksTo.includes(d.mcpServer)) existingMCPs.push(d.mcpServer);
    else {
      agent.talksTo.push(d.mcpServer);
      newMCPs.push(d.mcpServer);
    }
  }
  const n = parsed.data.detections.length;
  const significant = newMCPs.length + existingMCPs.length;
  return {
    status: 200,
    body: {
      success: true,
      detectionsProcessed: n,
      newMCPs,
      existingMCPs,
      message: `Processed ${n} detections (${significant} significant, ${n - significant} filtered)`,
    },
    line: `${n} detection(s): ${parsed.data.detections.map((d) => `${d.mcpServer} (${d.detectionMethod})`).join(', ')}`,
  };
}

function grantCapability(c: RouteContext): Answer {
  if (!isUuid(c.param ?? '')) return invalidAgentId;
  if (c.body === undefined || typeof c.body !== 'object') return { status: 400, body: { error: 'Invalid request body' } };
  const parsed = z.safeParse(grantCapabilityRequest, c.body);
  if (!parsed.success) return { status: 400, body: { error: firstIssue(parsed.error) } };
  const agent = c.state.agents.get(c.param!.toLowerCase());
  if (!agent) return { status: 500, body: { error: `agent not found: ${c.param}` } };
  const type = parsed.data.capabilityType;
  // The unique constraint (agent_id, capability_type) holds for revoked rows too.
  if (agent.capabilities.some((cap) => cap.capabilityType === type)) {
    return { status: 500, body: { error: 'pq: duplicate key value violates unique constraint "unique_agent_capability"' }, line: `${type} (duplicate)` };
  }
  const cap = c.state.grant(agent, type, parsed.data.scope ?? {});
  return { status: 201, body: cap, line: `granted ${type}` };
}

function addMcpServers(c: RouteContext): Answer {
  if (!isUuid(c.param ?? '')) return invalidAgentId;
  if (c.body === undefined || typeof c.body !== 'object') return { status: 400, body: { error: 'Invalid request body' } };
  const parsed = z.safeParse(addMcpServersRequest, c.body);
  if (!parsed.success) return { status: 400, body: { error: firstIssue(parsed.error) } };
  const agent = c.state.agents.get(c.param!.toLowerCase());
  if (!agent) return { status: 404, body: { error: 'Agent not found' } };
  if (agent.org !== c.org) return { status: 403, body: { error: 'Access denied' } };
  const added: string[] = [];
  for (const id of parsed.data.mcp_server_ids) {
    if (!agent.talksTo.includes(id)) {
      agent.talksTo.push(id);
      added.push(id);
    }
  }
  return {
    status: 200,
    body: {
      message: `Successfully added ${added.length} MCP server(s)`,
      talks_to: agent.talksTo,
      added_servers: added,
      total_count: agent.talksTo.length,
    },
    line: `talks to ${parsed.data.mcp_server_ids.join(', ')}${added.length ? '' : ' (no change)'}`,
  };
}

function requestCapability(c: RouteContext): Answer {
  if (!isUuid(c.param ?? '')) return invalidAgentId;
  const parsed = z.safeParse(capabilityRequestRequest, c.body ?? {});
  if (!parsed.success) return { status: 400, body: { error: firstIssue(parsed.error) } };
  const agent = c.state.agents.get(c.param!.toLowerCase());
  if (!agent) return { status: 500, body: { error: 'failed to create capability request', details: `agent not found: ${c.param}` } };
  const type = parsed.data.capability_type;
  if (agent.capabilities.some((cap) => cap.capabilityType === type && !cap.revokedAt)) {
    return { status: 409, body: { error: `capability ${type} already granted` } };
  }
  if (agent.capabilityRequests.some((r) => r.type === type && r.status === 'pending')) {
    return { status: 409, body: { error: 'pending request already exists' } };
  }
  agent.capabilityRequests.push({ type, status: 'pending' });
  const now = new Date().toISOString();
  return {
    status: 201,
    body: {
      id: randomUUID(),
      agent_id: agent.id,
      capability_type: type,
      reason: parsed.data.reason,
      status: 'pending',
      requested_at: now,
      created_at: now,
      updated_at: now,
    },
  };
}

/** The agent as upstream's agent read writes it. */
export function agentJson(agent: AgentState, hideRevoked = false): Record<string, unknown> {
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
