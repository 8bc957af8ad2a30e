import type { Inventory, ToolUse } from '../../inventory/index.js';
import type { McpUsageReportRequest } from '../../protocol/index.js';
import { mcpIdentity } from './mcp-identity.js';
import type { Request, RecordIds } from './queue.js';
import type { SpooledUsage } from './spool.js';

/**
 * Tool usage for the current AIM's `mcp-usage-report`, batched: only when there is new usage,
 * at most once per interval (and at exit, within the flush bound). Each report carries the calls
 * since the previous one (`count`), with the first and last use; AIM adds them up. Servers
 * whose record has no id yet wait for it. Usage an earlier process could not send (the spool)
 * is carried and goes with the next report, once.
 */
export class UsageBatch {
  /** The inventory's usage revision last sent, and the counts sent so far per `serverKey|tool`. */
  private sentRevision = 0;
  private readonly sentCounts = new Map<string, number>();
  private lastSentAt: number;
  private carried: SpooledUsage[] = [];

  constructor(
    private readonly inventory: Inventory,
    private readonly intervalMs: number,
    now: number,
  ) {
    this.lastSentAt = now;
  }

  /** Usage from the spool: sent with the next report, as if this process had seen it. */
  carry(usage: SpooledUsage[]): void {
    this.carried.push(...usage);
  }

  /**
   * Whether a report is due: new usage, and the interval is over (or the process is ending).
   * Usage an earlier process left is due at once: it has waited long enough.
   */
  due(now: number, ending: boolean): boolean {
    if (this.carried.length > 0) return true;
    return this.inventory.usageRevision !== this.sentRevision && (ending || now - this.lastSentAt >= this.intervalMs);
  }

  /** What no report has carried yet, by server identity (for the spool). */
  unsent(): SpooledUsage[] {
    const out = this.carried.map((u) => ({ ...u }));
    const cwd = this.inventory.process.cwd;
    const servers = new Map(this.inventory.snapshotServers().map((s) => [s.key, s]));
    for (const [serverKey, tools] of this.inventory.toolUsage()) {
      const server = servers.get(serverKey);
      if (!server) continue;
      const identity = mcpIdentity(server, cwd);
      for (const [tool, use] of tools) {
        const count = use.count - (this.sentCounts.get(`${serverKey}|${tool}`) ?? 0);
        if (count > 0) out.push({ identity, tool, count, firstUsed: use.firstUsed, lastUsed: use.lastUsed });
      }
    }
    return out;
  }

  /** The request for what is new, or undefined when no server with new usage has a record id yet. */
  request(agentId: string, ids: RecordIds, now: Date): Request | undefined {
    const revision = this.inventory.usageRevision;
    const servers = new Map(this.inventory.snapshotServers().map((s) => [s.key, s]));
    const body: McpUsageReportRequest = { agentId, reportedAt: now.toISOString(), mcpServers: {} };
    const counted: [string, number][] = [];
    const add = (id: string, tool: string, use: ToolUse, confidence: number | undefined): void => {
      const entry = (body.mcpServers[id] ??= { toolUsage: {}, ...(confidence !== undefined && { confidenceScore: confidence }) });
      const name = tool.slice(0, 255);
      const known = entry.toolUsage[name];
      entry.toolUsage[name] = known
        ? { count: known.count + use.count, firstUsed: min(known.firstUsed, use.firstUsed), lastUsed: max(known.lastUsed, use.lastUsed) }
        : { ...use };
    };
    for (const [serverKey, tools] of this.inventory.toolUsage()) {
      const server = servers.get(serverKey);
      const id = server && ids.get(mcpIdentity(server, this.inventory.process.cwd));
      if (!id) continue;
      for (const [tool, use] of tools) {
        const before = this.sentCounts.get(`${serverKey}|${tool}`) ?? 0;
        if (use.count <= before) continue;
        add(id, tool, { ...use, count: use.count - before }, server.confidence);
        counted.push([`${serverKey}|${tool}`, use.count]);
      }
    }
    const carried = this.carried.filter((u) => ids.get(u.identity));
    for (const u of carried) add(ids.get(u.identity)!, u.tool, { count: u.count, firstUsed: u.firstUsed, lastUsed: u.lastUsed }, undefined);
    if (!counted.length && !carried.length) return undefined;
    const total = Object.values(body.mcpServers).reduce((n, s) => n + Object.keys(s.toolUsage).length, 0);
    return {
      key: ['usage'],
      describe: `mcp-usage-report (${total} tools)`,
      send: (p, o) => (p.records ? p.records.reportUsage(agentId, body, o) : Promise.resolve({ kind: 'drop', status: 0, reason: 'this AIM has no usage route' })),
      settled: () => {
        for (const [k, count] of counted) this.sentCounts.set(k, count);
        this.carried = this.carried.filter((u) => !carried.includes(u));
        this.sentRevision = revision;
        this.lastSentAt = now.getTime();
      },
    };
  }
}

const min = (a: string, b: string): string => (a < b ? a : b);
const max = (a: string, b: string): string => (a > b ? a : b);
