import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { isUuid } from '../platform/index.js';
import {
  capabilityReportRequest,
  createMcpServerRequest,
  firstIssue,
  flexible,
  isObject,
  mcpConnectionRequest,
  mcpUsageReportRequest,
  RISK_LEVELS,
} from '../protocol/index.js';
import type { AgentState, CollectorState, McpServerRecord } from './state.js';
import type { Answer } from './wire.js';

/**
 * The current AIM's MCP server records, connections, tool usage, heartbeat and capability report
 * (docs/aim-protocol.md), answered as upstream's handlers answer: a duplicate server URL is a
 * 409 with the existing id; a connection needs a server id and a tool name; usage keys that are
 * not UUIDs are skipped; a capability report needs `detectedAt`, integer scores (else 400) and a
 * lowercase `riskLevel` (else the database refuses it: 500).
 */
const now = (): string => new Date().toISOString();

export function mcpServerJson(s: McpServerRecord): Record<string, unknown> {
  return {
    id: s.id,
    organizationId: s.org,
    name: s.name,
    url: s.url,
    title: s.title ?? '',
    version: s.version ?? '',
    description: s.description ?? '',
    websiteUrl: s.websiteUrl ?? '',
    status: 'pending',
    createdAt: s.createdAt,
    connectedAgents: s.connections.size,
  };
}

/** `POST .../mcp-servers` (signed). */
export function createMcpServer(state: CollectorState, agent: AgentState, body: unknown): Answer {
  const parsed = z.safeParse(createMcpServerRequest, flexible(body));
  if (!parsed.success) return { status: 400, body: { error: firstIssue(parsed.error) } };
  const data = parsed.data;
  const existing = [...state.mcpServers.values()].find((s) => s.org === agent.org && s.url === data.url);
  if (existing) {
    return { status: 409, body: { error: 'mcp server with this URL already exists', existingId: existing.id }, line: `MCP server ${data.name} (exists)` };
  }
  const record: McpServerRecord = {
    id: randomUUID(),
    org: agent.org,
    name: data.name,
    url: data.url,
    createdBy: agent.id,
    createdAt: now(),
    connections: new Map(),
    usage: new Map(),
  };
  for (const k of ['title', 'version', 'description', 'websiteUrl'] as const) if (data[k]) record[k] = data[k];
  state.mcpServers.set(record.id, record);
  if (!agent.talksTo.includes(data.name)) agent.talksTo.push(data.name);
  return { status: 201, body: mcpServerJson(record), line: `MCP server ${data.name} ${data.url}` };
}

/** `GET .../mcp-servers/by-name?name=`. */
export function mcpServerByName(state: CollectorState, agent: AgentState, name: string | null): Answer {
  if (!name) return { status: 400, body: { error: 'name query parameter is required' } };
  const found = [...state.mcpServers.values()].find((s) => s.org === agent.org && s.name === name);
  return found ? { status: 200, body: mcpServerJson(found) } : { status: 404, body: { error: 'MCP server not found' } };
}

/** `POST .../mcp-connections`: either spelling of the keys. */
export function recordConnection(state: CollectorState, agent: AgentState, body: unknown): Answer {
  const flat = flexible(body);
  if (!isObject(flat)) return { status: 400, body: { error: 'Invalid request body' } };
  if (!flat.mcpServerId) return { status: 400, body: { error: 'mcp_server_id is required' } };
  if (!flat.toolName) return { status: 400, body: { error: 'tool_name is required' } };
  const parsed = z.safeParse(mcpConnectionRequest, flat);
  if (!parsed.success) return { status: 400, body: { error: 'Invalid MCP server ID', message: firstIssue(parsed.error) } };
  const server = state.mcpServers.get(parsed.data.mcpServerId.toLowerCase());
  if (!server || server.org !== agent.org) return { status: 500, body: { error: 'Failed to record MCP connection', message: 'mcp server not found' } };
  const tools = server.connections.get(agent.id) ?? new Set<string>();
  tools.add(parsed.data.toolName);
  server.connections.set(agent.id, tools);
  return {
    status: 200,
    body: {
      success: true,
      connection_id: randomUUID(),
      agentId: agent.id,
      mcp_server_id: server.id,
      connection_type: 'attested',
      attestation_count: tools.size,
      last_attested_at: now(),
      message: 'MCP connection recorded successfully',
    },
    line: `${server.name}: tool ${parsed.data.toolName}`,
  };
}

/** `POST .../mcp-usage-report`: counts add up; keys that are not UUIDs are skipped. */
export function recordUsage(state: CollectorState, agent: AgentState, body: unknown): Answer {
  if (!isObject(body) || !isObject(body.mcpServers)) return { status: 400, body: { error: 'Invalid request body' } };
  const usable = Object.fromEntries(Object.entries(body.mcpServers).filter(([id]) => isUuid(id)));
  const parsed = z.safeParse(mcpUsageReportRequest, { ...body, mcpServers: usable });
  if (!parsed.success) return { status: 400, body: { error: firstIssue(parsed.error) } };
  let servers = 0;
  let invocations = 0;
  const lines: string[] = [];
  for (const [id, report] of Object.entries(parsed.data.mcpServers)) {
    const server = state.mcpServers.get(id.toLowerCase());
    if (!server || server.org !== agent.org) continue;
    servers++;
    for (const [tool, use] of Object.entries(report.toolUsage)) {
      const key = `${agent.id}|${tool}`;
      const sum = server.usage.get(key);
      server.usage.set(key, sum ? { count: sum.count + use.count, firstUsed: sum.firstUsed, lastUsed: use.lastUsed } : { ...use });
      invocations += use.count;
      lines.push(`${server.name} ${tool} x${use.count}`);
    }
  }
  return {
    status: 200,
    body: { success: true, serversReported: servers, totalInvocations: invocations, message: `Recorded ${invocations} invocations on ${servers} MCP servers` },
    line: `usage: ${lines.join(', ') || 'none'}`,
  };
}

/** `POST .../heartbeat`: no body. */
export function heartbeat(agent: AgentState): Answer {
  agent.lastHeartbeat = now();
  agent.heartbeats++;
  return {
    status: 200,
    body: { agentId: agent.id, status: agent.status ?? 'verified', lastHeartbeat: agent.lastHeartbeat, trustScore: 0.75 },
    line: `heartbeat #${agent.heartbeats}`,
  };
}

/** `POST /api/v1/detection/agents/{id}/capabilities/report`. */
export function capabilityReport(agent: AgentState, body: unknown): Answer {
  if (!isObject(body)) return { status: 400, body: { error: 'Invalid request body' } };
  const risk = isObject(body.riskAssessment) ? body.riskAssessment : {};
  const ints = [risk.overallRiskScore, risk.trustScoreImpact, ...(Array.isArray(risk.alerts) ? risk.alerts.map((a) => (isObject(a) ? a.trustScoreImpact : 0)) : [])];
  if (ints.some((v) => v !== undefined && !Number.isInteger(v))) return { status: 400, body: { error: 'Invalid request body' } };
  if (!body.detectedAt) return { status: 400, body: { error: 'detectedAt is required' } };
  if (!RISK_LEVELS.includes(risk.riskLevel as (typeof RISK_LEVELS)[number])) {
    return { status: 500, body: { error: 'failed to store capability report: violates check constraint "agent_capability_reports_risk_level_check"' } };
  }
  const parsed = z.safeParse(capabilityReportRequest, body);
  if (!parsed.success) return { status: 400, body: { error: firstIssue(parsed.error) } };
  agent.capabilityReports.push(parsed.data as Record<string, unknown>);
  const alerts = parsed.data.riskAssessment.alerts.filter((a) => a.severity === 'HIGH' || a.severity === 'CRITICAL').length;
  const { riskLevel, trustScoreImpact, overallRiskScore } = parsed.data.riskAssessment;
  return {
    status: 200,
    body: {
      success: true,
      agentId: agent.id,
      riskLevel,
      trustScoreImpact,
      newTrustScore: 0.75,
      securityAlertsCount: alerts,
      message: `Capability report processed. Risk: ${riskLevel}, Trust impact: ${trustScoreImpact}`,
    },
    line: `capability report: risk ${riskLevel} (${overallRiskScore}), ${Object.keys(parsed.data.capabilities).join(', ') || 'no capabilities'}`,
  };
}
