import type { InventorySnapshot } from '../../inventory/index.js';
import { capabilityReportOf } from './capability-report.js';
import { hashedName } from './files.js';
import { mcpIdentity } from './mcp-identity.js';
import type { CapabilityReportRequest, CreateMcpServerRequest } from '../../protocol/index.js';

/**
 * What the current (signed) AIM also learns from a snapshot: one MCP server record per server
 * the program really connected to, one connection per server and tool it called, and the
 * capability report. Keyed like the rest of the payload (`mcp:<identity>`, `conn:<identity>|<tool>`,
 * `rep:<hash of the report without its time>`), so what AIM has is never sent again, by this
 * process or the next.
 */
export interface PendingRecord {
  identity: string;
  body: CreateMcpServerRequest;
}

export interface PendingConnection {
  identity: string;
  name: string;
  tool: string;
}

export interface PendingReport {
  body: CapabilityReportRequest;
}

export interface SignedDesired {
  records: Map<string, PendingRecord>;
  connections: Map<string, PendingConnection>;
  reports: Map<string, PendingReport>;
}

export const recKey = (identity: string): string => `mcp:${identity}`;
export const connKey = (identity: string, tool: string): string => `conn:${identity}|${tool}`;

export function emptySigned(): SignedDesired {
  return { records: new Map(), connections: new Map(), reports: new Map() };
}

export function signedFrom(snapshot: InventorySnapshot, now: Date): SignedDesired {
  const out = emptySigned();
  if (snapshot.process.launcher) return out;
  for (const server of snapshot.mcpServers) {
    if (server.detectionMethod !== 'sdk_runtime' || server.failed === true) continue;
    const identity = mcpIdentity(server, snapshot.process.cwd);
    const info = server.serverInfo;
    const body: CreateMcpServerRequest = {
      name: (info?.name || server.name || identity).slice(0, 255),
      url: identity,
      transport: server.transport,
      // The server's own words when it gave them (initialize's serverInfo), else ours.
      description: (info?.description || `MCP server used by this agent, seen by aim-node (${server.transport})`).slice(0, 1000),
    };
    if (info?.version) body.version = info.version.slice(0, 100);
    if (info?.title) body.title = info.title.slice(0, 255);
    if (info?.websiteUrl) body.websiteUrl = info.websiteUrl.slice(0, 2048);
    out.records.set(recKey(identity), { identity, body });
    for (const tool of server.toolsCalled ?? []) {
      out.connections.set(connKey(identity, tool), { identity, name: body.name, tool: tool.slice(0, 255) });
    }
  }
  const report = capabilityReportOf(snapshot, now);
  const { detectedAt: _, ...content } = report;
  out.reports.set(`rep:${hashedName([JSON.stringify(content)], 16)}`, { body: report });
  return out;
}
