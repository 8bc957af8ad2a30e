import type { Inventory } from '../../inventory/index.js';
import { emptyDesired } from './payload.js';
import { Spool, type Spooled } from './spool.js';

/**
 * The longest a new capability, MCP server, connection or tool call waits before it is in the
 * spool: a process killed after that (SIGTERM, SIGKILL: no `exit` event, and aim adds no signal
 * listeners) loses nothing that AIM had not received; the next process of the agent sends it.
 * The same bound as AIM_OUTPUT (report/file.ts).
 */
export const SPOOL_BOUND_MS = 100;

/**
 * Keeps this process's spool file current while it runs. A change only arms an unref'd timer (no
 * work on the app's call); when it fires, the file is rewritten only if something that matters to
 * AIM changed (counted cheaply, without a snapshot), and after the reporter sent something, so
 * that what AIM has leaves the file.
 */
export class SpoolKeeper {
  private timer: NodeJS.Timeout | undefined;
  private seen = '';
  private readonly spool: Spool;

  constructor(
    file: string,
    private readonly inventory: Inventory,
    /** What AIM has not received yet; undefined: nothing may be kept (the agent is unknown to AIM). */
    private readonly unsent: () => Spooled | undefined,
  ) {
    this.spool = new Spool(file);
  }

  /** What processes that no longer run left (now kept in this process's file). */
  claim(): Spooled | undefined {
    return this.spool.claim();
  }

  /** Something changed: the file is current within SPOOL_BOUND_MS. */
  soon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.signature() !== this.seen) this.now();
    }, SPOOL_BOUND_MS);
    this.timer.unref();
  }

  /** Rewrites the file now (synchronously; at `exit` too). Never throws. */
  now(): void {
    try {
      this.seen = this.signature();
      const unsent = this.unsent();
      this.spool.save(unsent?.desired ?? emptyDesired(), unsent?.usage ?? []);
    } catch {
      // never into the app
    }
  }

  /** After requests AIM answered: what it has leaves the file (only when there is one). */
  sent(): void {
    if (this.spool.written) this.now();
  }

  /** What the spool holds, counted: used capabilities, servers (how seen, tools called), tool calls. */
  private signature(): string {
    const servers = this.inventory.snapshotServers().map((s) => `${s.detectionMethod}${s.toolsCalled?.length ?? 0}`);
    return `${this.inventory.usedCapabilities().length}|${servers.join(',')}|${this.inventory.usageRevision}`;
  }
}
