import type { Inventory, ToolUse } from '../../inventory/index.js';
import type { McpUsageReportRequest } from '../../protocol/index.js';
import { mcpIdentity } from './mcp-identity.js';
import type { Request, RecordIds } from './queue.js';

/**
 * Tool usage for the current AIM's `mcp-usage-report`, batched: only when there is new usage,
 * at most once per interval (and at exit, within the flush bound). Each report carries the calls
 * since the previous one (`count`), with the first and last use; AIM adds them up. Servers
 * whose record has no id yet wait for it.
 */
export class UsageBatch {
  /** The inventory's usage revision last sent, and the counts sent so far per `serverKey|tool`. */
  private sentRevision = 0;
  private readonly sentCounts = new Map<string, number>();
  private lastSentAt: number;

  constructor(
    private readonly inventory: Inventory,
    private readonly intervalMs: number,
    now: number,
  ) {
    this.lastSentAt = now;
  }

  /** Whether a report is due: new usage, and the interval is over (or the process is ending). */
  due(now: number, ending: boolean): boolean {
    return this.inventory.usageRevision !== this.sentRevision && (ending || now - this.lastSentAt >= this.intervalMs);
  }

  /** The request for what is new, or undefined when no server with new usage has a record id yet. */
  request(agentId: string, ids: RecordIds, now: Date): Request | undefined {
    const revision = this.inventory.usageRevision;
    const servers = new Map(this.inventory.snapshotServers().map((s) => [s.key, s]));
    const body: McpUsageReportRequest = { agentId, reportedAt: now.toISOString(), mcpServers: {} };
    const counted: [string, number][] = [];
    for (const [serverKey, tools] of this.inventory.toolUsage()) {
      const server = servers.get(serverKey);
      const id = server && ids.get(mcpIdentity(server, this.inventory.process.cwd));
      if (!id) continue;
      const usage: Record<string, ToolUse> = {};
      for (const [tool, use] of tools) {
        const before = this.sentCounts.get(`${serverKey}|${tool}`) ?? 0;
        if (use.count <= before) continue;
        usage[tool.slice(0, 255)] = { ...use, count: use.count - before };
        counted.push([`${serverKey}|${tool}`, use.count]);
      }
      if (Object.keys(usage).length) body.mcpServers[id] = { toolUsage: usage, confidenceScore: server.confidence };
    }
    if (!counted.length) return undefined;
    const total = counted.length;
    return {
      key: ['usage'],
      describe: `mcp-usage-report (${total} tools)`,
      send: (p, o) => (p.records ? p.records.reportUsage(agentId, body, o) : Promise.resolve({ kind: 'drop', status: 0, reason: 'this AIM has no usage route' })),
      settled: () => {
        for (const [k, count] of counted) this.sentCounts.set(k, count);
        this.sentRevision = revision;
        this.lastSentAt = now.getTime();
      },
    };
  }
}
