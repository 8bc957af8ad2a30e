import { setTimeout as sleep } from 'node:timers/promises';
import type { CapabilityId, Inventory } from '../../inventory/index.js';
import { debug, log, warn } from '../../platform/index.js';
import { Ledger } from './ledger.js';
import type { Outcome, Protocol } from './outcome.js';
import { desiredFrom, emptyDesired, mergeDesired, srvKey, type Desired } from './payload.js';
import { heartbeatRequest, isEmpty, memoryIds, nextRequest, routeOf, unsent, type RecordIds, type Request } from './queue.js';
import { Schedule } from './schedule.js';
import type { ReporterSettings } from './settings.js';
import type { Spooled } from './spool.js';
import { SpoolKeeper } from './spool-keeper.js';
import { UsageBatch } from './usage.js';
import { warnOutcome, type WarningContext } from './warnings.js';

/**
 * The AIM client's loop, written once for any protocol generation: what is new (the latest
 * snapshot and the spool, minus the ledger), in which order, and what each outcome means.
 *
 * - When: schedule.ts (startup batch, debounced deltas, rate limit, backoff). A change only marks
 *   the inventory dirty and arms the timer; the snapshot (and its require.cache scan) is taken
 *   once per pass, not once per change.
 * - Read before write: the agent is read once per process; what it holds is not granted again,
 *   and what it shows as revoked is never granted again (ledger.ts).
 * - One request in flight; a bounded flush at `beforeExit` only when something is unsent. What is
 *   unsent is kept in the spool (spool-keeper.ts: within SPOOL_BOUND_MS of a change, and at
 *   `exit`), which the next process of the agent sends.
 */
type Stopped = 'auth' | 'unknown-agent' | 'misdirected' | 'internal';

export class Reporter {
  private readonly schedule: Schedule;
  private readonly ledger: Ledger;
  private running: Promise<void> | undefined;
  private stopped: Stopped | undefined;
  private protocol: Protocol | undefined;
  private agentId: string | undefined;
  private readonly tries = new Map<string, number>();
  private readonly spooled: Desired;
  /** What the inventory wants sent, at the revision it was taken; undefined: take it anew. */
  private wantedAt: { revision: number; desired: Desired } | undefined;
  private flushedAtRevision = -1;
  private flushing = false;
  private internalErrors = 0;
  private readonly unsubscribe: () => void;
  private readonly unsubscribeUsage: () => void;
  private readonly keeper: SpoolKeeper | undefined;
  private readonly usage: UsageBatch;
  private readonly ids: RecordIds;
  private lastHeartbeatAt = Date.now();
  private readonly ticker: NodeJS.Timeout;
  /** Requests sent, by route, for the closing figures. */
  readonly stats = { requests: 0, byRoute: {} as Record<string, number> };

  constructor(
    private readonly inventory: Inventory,
    private readonly settings: ReporterSettings,
  ) {
    this.schedule = new Schedule(settings.timings, settings.clock);
    this.ledger = new Ledger(settings.ledgerFile, settings.acknowledged);
    this.keeper = settings.spoolFile ? new SpoolKeeper(settings.spoolFile, inventory, () => this.unsentForSpool()) : undefined;
    const claimed = this.keeper?.claim();
    this.spooled = claimed?.desired ?? emptyDesired();
    this.ledger.learnAcknowledged();
    this.unsubscribe = inventory.onChange(() => this.changed());
    this.unsubscribeUsage = inventory.onUsage(() => this.keeper?.soon());
    this.ids = settings.recordIds ?? memoryIds();
    this.usage = new UsageBatch(inventory, settings.usageIntervalMs ?? 60_000, Date.now());
    this.usage.carry(claimed?.usage ?? []);
    // Wakes the loop for tool usage and heartbeats, which change no inventory revision.
    const tickMs = Math.min(settings.usageIntervalMs ?? 60_000, settings.heartbeatMs || Infinity);
    this.ticker = setInterval(() => this.tick(), tickMs).unref();
    process.on('beforeExit', this.onBeforeExit);
    process.on('exit', this.onExit);
    this.arm();
  }

  /**
   * Sends what is unsent, for at most `timeoutMs` (default: the exit bound, AIM_FLUSH_TIMEOUT_MS
   * or less for a short-lived process). Never rejects.
   */
  async flush(timeoutMs = this.exitBound()): Promise<void> {
    this.wantedAt = undefined;
    if (this.stopped || timeoutMs <= 0 || (!this.hasWork(true) && !this.running)) return;
    // One bounded wait per inventory revision: `beforeExit` after this flush does not start another.
    this.flushedAtRevision = this.inventory.revision;
    const deadline = Date.now() + timeoutMs;
    // Ref'd on purpose: during a flush at `beforeExit` this is what keeps the loop alive, and it
    // bounds how long.
    const bound = new AbortController();
    this.flushing = true;
    const started = Date.now();
    debug('AIM-R103', `flush: up to ${timeoutMs} ms`);
    try {
      await Promise.race([sleep(timeoutMs, undefined, { signal: bound.signal }), this.drain(deadline)]);
    } catch {
      // the bound, aborted below; never anything else
    } finally {
      this.flushing = false;
      bound.abort();
      debug('AIM-R103', `flush: done in ${Date.now() - started} ms${this.hasWork() ? ', some left for the spool' : ''}`);
    }
  }

  /** Lets go of the process: listeners, timers, sockets. Unsent items are not spooled. */
  dispose(): void {
    this.unsubscribe();
    this.unsubscribeUsage();
    process.off('beforeExit', this.onBeforeExit);
    process.off('exit', this.onExit);
    clearInterval(this.ticker);
    this.stop('internal');
  }

  private tick(): void {
    if (!this.running && !this.stopped && this.periodic(false)) this.arm();
  }

  /** Tool usage or a heartbeat due now (the current AIM only); `ending`: at exit, usage goes at once, heartbeats not at all. */
  private periodic(ending: boolean): Request | undefined {
    // The agent's id from its read, or from an earlier process (state file): usage and liveness
    // need no agent read of their own.
    const agentId = this.agentId ?? this.settings.agentIdHint?.();
    if (!agentId || !this.signed()) return undefined;
    const now = Date.now();
    if (this.usage.due(now, ending)) {
      const usage = this.usage.request(agentId, this.ids, new Date(now));
      if (usage) return usage;
    }
    const every = this.settings.heartbeatMs ?? 0;
    if (ending || every <= 0 || now - this.lastHeartbeatAt < every) return undefined;
    return heartbeatRequest(agentId, () => void (this.lastHeartbeatAt = Date.now()));
  }

  /** Writes what is unsent to the spool now, synchronously. Never throws. */
  spoolUnsent(): void {
    this.onExit();
  }

  private async drain(deadline: number): Promise<void> {
    if (this.running) await this.running;
    if (this.stopped || !this.hasWork(true)) return;
    this.schedule.disarm();
    await this.run(deadline);
  }

  /** Cheap on purpose (it runs on the app's time): no snapshot, only the timer. */
  private changed(): void {
    this.keeper?.soon();
    this.schedule.changed();
    if (!this.running) this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    this.schedule.arm(() => void this.run());
  }

  /** One pass: send requests until nothing is left, or we must wait. */
  private run(deadline?: number): Promise<void> {
    if (this.running) return this.running;
    this.schedule.passStarted();
    this.wantedAt = undefined;
    const pass = this.pass(deadline)
      .catch((error: unknown) => this.internalError(error))
      .finally(() => {
        this.running = undefined;
        this.ledger.save();
        this.keeper?.sent();
        if (!this.flushing && !this.stopped && this.hasWork()) this.arm();
      });
    this.running = pass;
    return pass;
  }

  private async pass(deadline?: number): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      // Before every request: another process of the agent may just have sent the same thing.
      this.ledger.learnAcknowledged();
      const request = this.next();
      if (!request) return;
      const wait = this.schedule.waitBeforeSend();
      if (wait > 0) {
        if (deadline === undefined) return; // the timer armed after this pass comes back later
        if (Date.now() + wait >= deadline) return; // not within the bound: the spool takes it
        await sleep(wait, undefined, { ref: false });
        continue;
      }
      const protocol = await this.loadProtocol();
      if (!protocol) return;
      const remaining = deadline === undefined ? Infinity : deadline - Date.now();
      if (remaining <= 0) return;
      const timeoutMs = Math.min(this.settings.timings.requestTimeoutMs, remaining);
      this.schedule.sent();
      this.stats.requests++;
      const route = routeOf(request);
      this.stats.byRoute[route] = (this.stats.byRoute[route] ?? 0) + 1;
      const outcome = await request.send(protocol, { timeoutMs });
      if (!this.handle(request, outcome) && deadline === undefined) return;
    }
  }

  /** Shows a capability AIM holds for approval in the inventory (agent.pendingApproval). */
  private markPending(id: string): void {
    const pending = new Set(this.inventory.agent.pendingApproval ?? []);
    if (pending.has(id as CapabilityId)) return;
    pending.add(id as CapabilityId);
    this.inventory.updateAgent({ pendingApproval: [...pending].sort() });
  }

  /** Applies an outcome; false when the pass should stop and wait (backoff). */
  private handle(request: Request, outcome: Outcome): boolean {
    const context: WarningContext = { describe: request.describe, route: routeOf(request), agent: this.settings.agent };
    const redact = this.settings.redact;
    switch (outcome.kind) {
      case 'ok':
      case 'duplicate': {
        const pending = outcome.kind === 'ok' && outcome.pending;
        for (const k of request.key) {
          if (!k.startsWith('cap:')) continue;
          if (pending) this.markPending(k.slice(4));
          else this.ledger.remember(k.slice(4));
        }
        this.ledger.acknowledge(request.key);
        request.settled?.(outcome);
        // Counts are added up by AIM: out of the spool at once, so that they are never sent twice.
        if (request.key[0] === 'usage') this.keeper?.now();
        this.schedule.succeeded();
        if (outcome.kind === 'ok' && outcome.agent) {
          this.learnAgent(outcome.agent.id, outcome.agent.granted, outcome.agent.revoked);
          // Servers AIM already lists need no talks_to registration again.
          this.ledger.mark(outcome.agent.talksTo.map(srvKey));
        }
        debug('AIM-R100', `${request.describe}: ${outcome.kind}`);
        return true;
      }
      case 'drop':
        // The agent read answered with a redirect or a status AIM does not use: this is not the
        // AIM the key is for (or a proxy in the way). Asking again at once made a storm of
        // requests for the life of the process; one warning and reporting ends instead.
        if (request.key[0] === 'agent') {
          this.stop('misdirected');
          warnOutcome('misdirected', { ...context, status: outcome.status }, redact);
          return false;
        }
        this.ledger.mark(request.key);
        this.schedule.succeeded();
        warnOutcome('dropped', { ...context, status: outcome.status, reason: outcome.reason }, redact);
        return true;
      case 'auth':
        this.stop('auth');
        warnOutcome(outcome.status === 403 ? 'otherOrg' : 'keyRefused', { ...context, status: outcome.status }, redact, outcome.message);
        return false;
      case 'unknown-agent':
        this.stop('unknown-agent');
        warnOutcome('unknownAgent', { ...context, status: outcome.status }, redact, outcome.message);
        return false;
      case 'retry':
        return this.retry(request, outcome, context);
    }
  }

  private retry(request: Request, outcome: Extract<Outcome, { kind: 'retry' }>, context: WarningContext): boolean {
    const key = request.key[0]!;
    const status = outcome.status ?? outcome.code;
    if (outcome.countsAsTry) {
      const tries = (this.tries.get(key) ?? 0) + 1;
      this.tries.set(key, tries);
      // The agent read is never dropped: without it nothing else can be sent.
      if (tries >= this.settings.timings.maxTries && key !== 'agent') {
        this.ledger.mark(request.key);
        warnOutcome('gaveUp', { ...context, status, tries }, this.settings.redact);
        return true;
      }
    } else if (outcome.status !== 429) {
      warnOutcome('unreachable', { ...context, status: outcome.code }, this.settings.redact);
    }
    const wait = this.schedule.failed(outcome.retryAfterMs);
    debug('AIM-R101', `${request.describe}: retry in ${Math.round(wait)} ms (${status})`);
    return false;
  }

  /** What the agent read says: granted capabilities are done; revoked ones are never granted again. */
  private learnAgent(id: string, granted: string[], revoked: string[]): void {
    this.agentId = id;
    const known = this.ledger.learnAgent(id, granted, revoked);
    if (known.length) {
      log(
        'info',
        'AIM-R009',
        `AIM no longer lists ${known.join(', ')} as granted to this agent (revoked by an administrator); aim will not grant them again.`,
      );
    }
  }

  /** The next request to send, from the latest snapshot; undefined when AIM has everything. */
  private next(): Request | undefined {
    const signed = this.signed() ? this.ids : undefined;
    return nextRequest(this.pending(), this.agentId, this.settings, signed) ?? this.periodic(this.flushing);
  }

  /** Whether the server is the current AIM (records, usage, capability report). */
  private signed(): boolean {
    return this.protocol ? Boolean(this.protocol.records) : Boolean(this.settings.signedHint?.());
  }

  /** What the inventory and the spool want AIM to know; the snapshot is taken once per revision. */
  private wanted(): Desired {
    if (!this.wantedAt || this.wantedAt.revision !== this.inventory.revision) {
      const desired = mergeDesired(desiredFrom(this.inventory.snapshot(), this.settings.reportPotential, undefined, this.settings.deployment), this.spooled);
      // After the snapshot: its catch-up scan may have added to the inventory.
      this.wantedAt = { revision: this.inventory.revision, desired };
    }
    return this.wantedAt.desired;
  }

  /** Everything wanted minus what AIM has or refused. */
  private pending(): Desired {
    const signed = this.signed() ? { ids: this.ids } : undefined;
    return unsent(this.wanted(), this.ledger, this.settings.capabilities, Boolean(this.protocol?.serversViaDetections), signed);
  }

  /** `ending`: at exit, new tool usage counts too. */
  private hasWork(ending = false): boolean {
    if (this.stopped) return false;
    try {
      return !isEmpty(this.pending()) || (ending && Boolean(this.periodic(true)));
    } catch {
      return false;
    }
  }

  private async loadProtocol(): Promise<Protocol | undefined> {
    if (this.protocol) return this.protocol;
    try {
      this.protocol = await this.settings.loadProtocol();
      return this.protocol;
    } catch (error) {
      this.internalError(error);
      return undefined;
    }
  }

  private stop(reason: Stopped): void {
    this.stopped = reason;
    this.schedule.disarm();
    this.protocol?.close();
  }

  private internalError(error: unknown): void {
    this.internalErrors++;
    warn('AIM-R010', 'internal error in the AIM reporter; it keeps going.');
    // Where, for a bug report (AIM_LOG_LEVEL=debug): aim's own frames, secrets taken out.
    const where = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack?.split('\n').slice(1, 6).join('\n') ?? ''}` : String(error);
    debug('AIM-R107', this.settings.redact(where.slice(0, 2000)));
    if (this.internalErrors >= 3) this.stop('internal');
  }

  private readonly onBeforeExit = (): void => {
    try {
      if (this.stopped || this.flushing) return;
      // `beforeExit` comes again whenever the loop empties: flush once per inventory revision.
      if (this.flushedAtRevision === this.inventory.revision) return;
      this.flushedAtRevision = this.inventory.revision;
      this.wantedAt = undefined;
      if (!this.hasWork(true)) return;
      void this.flush(this.exitBound());
    } catch {
      // never into the app
    }
  };

  /** How long to wait at exit: AIM_FLUSH_TIMEOUT_MS, or at most `shortFlushMs` for a short-lived process. */
  private exitBound(): number {
    return this.schedule.exitBound(this.settings.flushTimeoutMs, process.uptime() * 1000);
  }

  private readonly onExit = (): void => {
    try {
      this.protocol?.close();
      this.ledger.save();
      this.wantedAt = undefined;
      this.keeper?.now();
    } catch {
      // never into the app
    }
  };

  /**
   * What the spool keeps: all AIM has not received (records and connections too unless this AIM is
   * the older generation), but not the capability report (the next process sends its own).
   */
  private unsentForSpool(): Spooled | undefined {
    if (this.stopped === 'unknown-agent') return undefined;
    const signed = !this.protocol || this.protocol.records ? { ids: this.ids } : undefined;
    const desired = unsent(this.wanted(), this.ledger, this.settings.capabilities, Boolean(this.protocol?.serversViaDetections), signed);
    desired.reports.clear();
    return { desired, usage: this.usage.unsent() };
  }
}
