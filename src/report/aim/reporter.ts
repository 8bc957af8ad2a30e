import type { CapabilityId, Inventory } from '../../inventory/index.js';
import { debug, log, warn } from '../../platform/index.js';
import type { Outcome, Protocol, SendOptions } from './apikey.js';
import {
  capKey,
  desiredFrom,
  detKey,
  emptyDesired,
  mergeDesired,
  srvKey,
  type Desired,
  type PendingCapability,
  type PendingDetection,
  type PendingServer,
} from './payload.js';
import { claimSpool, readLedger, writeLedger, writeSpool } from './spool.js';

/**
 * Scheduling, diffing and retries of the AIM client, written once for any protocol generation.
 *
 * - One batch after a quiet window at startup, then debounced deltas; each pass reads the latest
 *   snapshot (latest wins) and sends only what AIM does not have yet.
 * - Read before write: the agent is read once per process; what it holds is not granted again,
 *   and what it shows as revoked is never granted again.
 * - One request in flight, at most `ratePerMinute` a minute, backoff with jitter, `Retry-After`.
 * - Exit: unref'd timers; a bounded flush at `beforeExit` only when something is unsent; what is
 *   still unsent at `exit` goes to the spool file that the next process of the agent sends.
 */
export interface ReporterTimings {
  /** Startup: wait until the inventory has been quiet this long... */
  quietMs: number;
  /** ...but no longer than this after start. */
  quietMaxMs: number;
  /** Later changes: debounce, bounded. */
  debounceMs: number;
  debounceMaxMs: number;
  requestTimeoutMs: number;
  /** Tries per item when the server answers 5xx or garbage; connection failures do not count. */
  maxTries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Longest `Retry-After` honoured in one go. */
  retryAfterMaxMs: number;
  ratePerMinute: number;
  /** A process younger than this at `beforeExit` is short-lived and gets `shortFlushMs` at most. */
  shortLivedMs: number;
  shortFlushMs: number;
}

export const DEFAULT_TIMINGS: ReporterTimings = {
  quietMs: 1000,
  quietMaxMs: 3000,
  debounceMs: 500,
  debounceMaxMs: 5000,
  requestTimeoutMs: 5000,
  maxTries: 4,
  backoffBaseMs: 1000,
  backoffMaxMs: 5 * 60_000,
  retryAfterMaxMs: 5 * 60_000,
  ratePerMinute: 100,
  shortLivedMs: 10_000,
  shortFlushMs: 500,
};

export interface ReporterSettings {
  /** AIM_AGENT_ID as given: a UUID or a name. */
  agent: string;
  reportPotential: boolean;
  flushTimeoutMs: number;
  /** Spool file for this URL and agent; none disables spooling. */
  spoolFile?: string;
  /** Ledger file of capabilities seen granted, per agent UUID; none disables it. */
  ledgerFile?: (agentUuid: string) => string;
  timings: ReporterTimings;
  /** Loads the protocol (and its HTTP client) when there is first something to send. */
  loadProtocol: () => Promise<Protocol>;
  /** Replaces the API key in anything we print. */
  redact: (text: string) => string;
  /**
   * What AIM acknowledged before, shared by every process of the agent on this machine (fleet.ts):
   * not sent again. None: every process asks AIM itself.
   */
  acknowledged?: { keys(): string[]; add(keys: string[]): void; save(): void };
  /** AIM_CAPABILITIES: grant (default), request (capability requests), off (MCP servers only). */
  capabilities?: 'grant' | 'request' | 'off';
}

type Stopped = 'auth' | 'unknown-agent' | 'internal';

interface Request {
  key: string[];
  describe: string;
  send: (protocol: Protocol, opts: SendOptions) => Promise<Outcome>;
}

export class Reporter {
  private readonly startedAt = Date.now();
  private lastChangeAt = Date.now();
  private firstUnsentChangeAt: number | undefined;
  private startupDone = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped: Stopped | undefined;
  private protocol: Protocol | undefined;
  private agentId: string | undefined;
  /** Keys AIM has (granted, sent, duplicate) or refused (400, revoked): never sent again. */
  private readonly done = new Set<string>();
  private readonly revoked = new Set<string>();
  private readonly tries = new Map<string, number>();
  private readonly spooled: Desired;
  private pausedUntil = 0;
  private failures = 0;
  private readonly sentAt: number[] = [];
  private flushedAtRevision = -1;
  private flushing = false;
  private internalErrors = 0;
  private readonly unsubscribe: () => void;
  private ledgerFile: string | undefined;
  private ledger = new Set<string>();
  private ledgerDirty = false;
  /** Requests sent, by route, for the closing figures. */
  readonly stats = { requests: 0, byRoute: {} as Record<string, number> };

  constructor(
    private readonly inventory: Inventory,
    private readonly settings: ReporterSettings,
  ) {
    this.spooled = (settings.spoolFile && claimSpool(settings.spoolFile)) || emptyDesired();
    this.learnAcknowledged();
    this.unsubscribe = inventory.onChange(() => this.changed());
    process.on('beforeExit', this.onBeforeExit);
    process.on('exit', this.onExit);
    this.schedule();
  }

  /**
   * Sends what is unsent, for at most `timeoutMs` (default: the exit bound, AIM_FLUSH_TIMEOUT_MS
   * or less for a short-lived process). Never rejects.
   */
  async flush(timeoutMs = this.exitBound()): Promise<void> {
    if (this.stopped || timeoutMs <= 0 || (!this.hasWork() && !this.running)) return;
    // One bounded wait per inventory revision: `beforeExit` after this flush does not start another.
    this.flushedAtRevision = this.inventory.revision;
    const deadline = Date.now() + timeoutMs;
    // Ref'd on purpose: during a flush at `beforeExit` this is what keeps the loop alive, and it
    // bounds how long.
    let release: () => void = () => {};
    const bound = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      release = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.flushing = true;
    const started = Date.now();
    debug('AIM-R103', `flush: up to ${timeoutMs} ms`);
    try {
      await Promise.race([bound, this.drain(deadline)]);
    } catch {
      // never
    } finally {
      this.flushing = false;
      release();
      debug('AIM-R103', `flush: done in ${Date.now() - started} ms${this.hasWork() ? ', some left for the spool' : ''}`);
    }
  }

  /** Lets go of the process: listeners, timers, sockets. Unsent items are not spooled. */
  dispose(): void {
    this.unsubscribe();
    process.off('beforeExit', this.onBeforeExit);
    process.off('exit', this.onExit);
    this.stop('internal');
  }

  private async drain(deadline: number): Promise<void> {
    if (this.running) await this.running;
    if (this.stopped || !this.hasWork()) return;
    this.clearTimer();
    await this.run(deadline);
  }

  private changed(): void {
    const now = Date.now();
    this.lastChangeAt = now;
    this.firstUnsentChangeAt ??= now;
    if (!this.running) this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = Date.now();
    let due: number;
    if (!this.startupDone) {
      const t = this.settings.timings;
      due = Math.min(Math.max(this.startedAt, this.lastChangeAt) + t.quietMs, this.startedAt + t.quietMaxMs);
    } else {
      if (!this.hasWork()) return;
      const t = this.settings.timings;
      due = Math.min(this.lastChangeAt + t.debounceMs, (this.firstUnsentChangeAt ?? now) + t.debounceMaxMs);
    }
    due = Math.max(due, this.pausedUntil, this.rateFreeAt());
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, Math.max(0, due - now));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One pass: send requests until nothing is left, or we must wait. */
  private run(deadline?: number): Promise<void> {
    if (this.running) return this.running;
    this.startupDone = true;
    this.firstUnsentChangeAt = undefined;
    const pass = this.pass(deadline)
      .catch(() => this.internalError())
      .finally(() => {
        this.running = undefined;
        this.saveLedger();
        this.settings.acknowledged?.save();
        if (!this.flushing && !this.stopped && this.hasWork()) this.schedule();
      });
    this.running = pass;
    return pass;
  }

  private async pass(deadline?: number): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      // Before every request: another process of the agent may just have sent the same thing.
      this.learnAcknowledged();
      const request = this.next();
      if (!request) return;
      const wait = Math.max(this.pausedUntil, this.rateFreeAt()) - Date.now();
      if (wait > 0) {
        if (deadline === undefined) return; // the timer set by schedule() comes back later
        if (Date.now() + wait >= deadline) return; // not within the bound: the spool takes it
        await sleep(wait);
        continue;
      }
      const protocol = await this.loadProtocol();
      if (!protocol) return;
      const remaining = deadline === undefined ? Infinity : deadline - Date.now();
      if (remaining <= 0) return;
      const timeoutMs = Math.min(this.settings.timings.requestTimeoutMs, remaining);
      this.sentAt.push(Date.now());
      if (this.sentAt.length > this.settings.timings.ratePerMinute) this.sentAt.shift();
      this.stats.requests++;
      const route = request.describe.split(' ')[0]!;
      this.stats.byRoute[route] = (this.stats.byRoute[route] ?? 0) + 1;
      const outcome = await request.send(protocol, { timeoutMs });
      if (!this.handle(request, outcome)) {
        if (deadline === undefined) return;
      }
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
    const t = this.settings.timings;
    switch (outcome.kind) {
      case 'ok':
      case 'duplicate':
        for (const k of request.key) {
          this.done.add(k);
          if (k.startsWith('cap:') && !(outcome.kind === 'ok' && outcome.pending)) this.remember(k.slice(4));
          if (k.startsWith('cap:') && outcome.kind === 'ok' && outcome.pending) this.markPending(k.slice(4));
        }
        this.settings.acknowledged?.add(request.key);
        this.failures = 0;
        if (outcome.kind === 'ok' && outcome.agent) {
          this.learnAgent(outcome.agent.id, outcome.agent.granted, outcome.agent.revoked);
          // Servers AIM already lists need no talks_to registration again.
          for (const name of outcome.agent.talksTo) this.done.add(srvKey(name));
        }
        debug('AIM-R100', `${request.describe}: ${outcome.kind}`);
        return true;
      case 'drop':
        for (const k of request.key) this.done.add(k);
        this.failures = 0;
        warn(
          `AIM-R005-${request.describe.split(' ')[0]}`,
          this.settings.redact(`AIM refused ${request.describe} (${outcome.status || 'not sent'}): ${outcome.reason}. Dropped.`),
        );
        return true;
      case 'auth':
        this.stop('auth');
        warn(
          'AIM-R004',
          outcome.message ??
          `AIM refused the API key (HTTP ${outcome.status}); reporting is off for this process. ` +
            (outcome.status === 403
              ? 'Check that AIM_AGENT_ID names an agent of the organisation of AIM_API_KEY.'
              : 'Check AIM_API_KEY: it may be mistyped, disabled or expired (create a new one in AIM under API keys).'),
        );
        return false;
      case 'unknown-agent':
        this.stop('unknown-agent');
        warn(
          'AIM-R003',
          outcome.message ??
          this.settings.redact(
            `AIM has no agent ${JSON.stringify(this.settings.agent.slice(0, 80))} (HTTP ${outcome.status}); reporting is off for this process. ` +
              'Set AIM_AGENT_ID to the id or name of an agent registered in AIM.',
          ),
        );
        return false;
      case 'retry': {
        const key = request.key[0]!;
        if (outcome.countsAsTry) {
          const tries = (this.tries.get(key) ?? 0) + 1;
          this.tries.set(key, tries);
          // The agent read is never dropped: without it nothing else can be sent.
          if (tries >= t.maxTries && key !== 'agent') {
            for (const k of request.key) this.done.add(k);
            warn(
              `AIM-R008-${request.describe.split(' ')[0]}`,
              `AIM kept failing ${request.describe} (${outcome.status ?? outcome.code}) after ${tries} tries; dropped for this process.`,
            );
            return true;
          }
        } else if (outcome.status !== 429) {
          warn('AIM-R006', `AIM is not reachable (${outcome.code}); aim keeps what it has to send and tries again later.`);
        }
        this.failures++;
        const backoff = Math.min(t.backoffMaxMs, t.backoffBaseMs * 2 ** Math.min(this.failures - 1, 20));
        const jittered = backoff / 2 + Math.random() * (backoff / 2);
        const wait = Math.max(jittered, Math.min(outcome.retryAfterMs ?? 0, t.retryAfterMaxMs));
        this.pausedUntil = Date.now() + wait;
        debug('AIM-R101', `${request.describe}: retry in ${Math.round(wait)} ms (${outcome.status ?? outcome.code})`);
        return false;
      }
    }
  }

  /** What the agent read says: granted capabilities are done; revoked ones are never granted again. */
  private learnAgent(id: string, grantedList: string[], revokedList: string[]): void {
    this.agentId = id;
    const granted = new Set(grantedList);
    for (const c of granted) this.done.add(capKey(c));
    this.settings.acknowledged?.add([...granted].map(capKey));
    for (const c of revokedList) if (!granted.has(c)) this.revoked.add(c);
    if (this.settings.ledgerFile) {
      this.ledgerFile = this.settings.ledgerFile(id);
      this.ledger = readLedger(this.ledgerFile);
      // AIM lists active capabilities only: one seen granted before and missing now was revoked.
      for (const c of this.ledger) if (!granted.has(c)) this.revoked.add(c);
      for (const c of granted) this.remember(c);
    }
    if (this.revoked.size) {
      log(
        'info',
        'AIM-R009',
        `AIM no longer lists ${[...this.revoked].join(', ')} as granted to this agent (revoked by an administrator); aim will not grant them again.`,
      );
    }
  }

  /** Keys AIM acknowledged to any process of this agent (quiet fleets): not sent again. */
  private learnAcknowledged(): void {
    try {
      for (const k of this.settings.acknowledged?.keys() ?? []) this.done.add(k);
    } catch {
      // best effort
    }
  }

  private remember(capability: string): void {
    if (!this.settings.ledgerFile || this.ledger.has(capability)) return;
    this.ledger.add(capability);
    this.ledgerDirty = true;
  }

  private saveLedger(): void {
    if (!this.ledgerDirty || !this.ledgerFile) return;
    this.ledgerDirty = false;
    writeLedger(this.ledgerFile, this.ledger);
  }

  /** The next request to send, from the latest snapshot; undefined when AIM has everything. */
  private next(): Request | undefined {
    const pending = this.pending();
    if (!this.agentId) {
      if (isEmpty(pending)) return undefined;
      return {
        key: ['agent'],
        describe: 'agent read',
        send: async (p, o) => p.getAgent(this.settings.agent, o),
      };
    }
    const agentId = this.agentId;
    if (pending.detections.size) {
      const items: PendingDetection[] = [...pending.detections.values()].slice(0, 100);
      return {
        key: items.map((d) => detKey(d.mcpServer, d.detectionMethod)),
        describe: `detection/report (${items.length})`,
        send: (p, o) => p.reportDetections(agentId, items, o),
      };
    }
    const cap: PendingCapability | undefined = pending.capabilities.values().next().value;
    if (cap) {
      const request = this.settings.capabilities === 'request';
      return {
        key: [capKey(cap.id)],
        describe: `capabilities ${cap.id}`,
        send: (p, o) => (request && p.requestCapability ? p.requestCapability(agentId, cap, o) : p.grantCapability(agentId, cap, o)),
      };
    }
    if (pending.servers.size) {
      const servers: PendingServer[] = [...pending.servers.values()].slice(0, 100);
      return {
        key: servers.map((s) => srvKey(s.name)),
        describe: `mcp-servers (${servers.length})`,
        send: (p, o) => p.addMcpServers(agentId, servers, o),
      };
    }
    return undefined;
  }

  /** Everything wanted (latest snapshot and the spool) minus what AIM has or refused. */
  private pending(): Desired {
    const wanted = mergeDesired(desiredFrom(this.inventory.snapshot(), this.settings.reportPotential), this.spooled);
    const out = emptyDesired();
    if (this.settings.capabilities !== 'off') {
      for (const [k, v] of wanted.capabilities) {
        if (!this.done.has(k) && !this.revoked.has(v.id)) out.capabilities.set(k, v);
      }
    }
    for (const [k, v] of wanted.detections) if (!this.done.has(k)) out.detections.set(k, offCapabilities(v, this.settings.capabilities));
    // The signed generation learns the servers from detection/report: nothing to send for them,
    // and the next processes of the agent need not wait for the protocol to know it.
    for (const [k, v] of wanted.servers) {
      if (this.done.has(k)) continue;
      if (!this.protocol?.serversViaDetections) out.servers.set(k, v);
      else if (this.done.has(detKey(v.name, 'sdk_runtime'))) {
        this.done.add(k);
        this.settings.acknowledged?.add([k]);
      }
    }
    return out;
  }

  private hasWork(): boolean {
    if (this.stopped) return false;
    try {
      return !isEmpty(this.pending());
    } catch {
      return false;
    }
  }

  private rateFreeAt(): number {
    const limit = this.settings.timings.ratePerMinute;
    if (this.sentAt.length < limit) return 0;
    return this.sentAt[this.sentAt.length - limit]! + 60_000;
  }

  private async loadProtocol(): Promise<Protocol | undefined> {
    if (this.protocol) return this.protocol;
    try {
      this.protocol = await this.settings.loadProtocol();
      return this.protocol;
    } catch {
      this.internalError();
      return undefined;
    }
  }

  private stop(reason: Stopped): void {
    this.stopped = reason;
    this.clearTimer();
    this.protocol?.close();
  }

  private internalError(): void {
    this.internalErrors++;
    warn('AIM-R010', 'internal error in the AIM reporter; it keeps going.');
    if (this.internalErrors >= 3) this.stop('internal');
  }

  private readonly onBeforeExit = (): void => {
    try {
      if (this.stopped || this.flushing) return;
      // `beforeExit` comes again whenever the loop empties: flush once per inventory revision.
      if (this.flushedAtRevision === this.inventory.revision) return;
      this.flushedAtRevision = this.inventory.revision;
      if (!this.hasWork()) return;
      void this.flush(this.exitBound());
    } catch {
      // never into the app
    }
  };

  /** How long to wait at exit: AIM_FLUSH_TIMEOUT_MS, or at most `shortFlushMs` for a short-lived process. */
  private exitBound(): number {
    const t = this.settings.timings;
    const uptime = process.uptime() * 1000;
    return uptime < t.shortLivedMs ? Math.min(this.settings.flushTimeoutMs, t.shortFlushMs) : this.settings.flushTimeoutMs;
  }

  /** Writes what is unsent to the spool now, synchronously. Never throws. */
  spoolUnsent(): void {
    this.onExit();
  }

  private readonly onExit = (): void => {
    try {
      this.protocol?.close();
      this.saveLedger();
      if (!this.settings.spoolFile || this.stopped === 'unknown-agent') return;
      const pending = this.pending();
      if (isEmpty(pending)) return;
      if (writeSpool(this.settings.spoolFile, pending)) {
        debug('AIM-R102', `unsent reports spooled for the next run`);
      }
    } catch {
      // never into the app
    }
  };

}

/** AIM_CAPABILITIES=off: the integration entry does not list capabilities either. */
function offCapabilities(d: PendingDetection, mode: ReporterSettings['capabilities']): PendingDetection {
  if (mode !== 'off' || !Array.isArray(d.details.capabilities)) return d;
  return { ...d, details: { ...d.details, capabilities: [] } };
}

function isEmpty(d: Desired): boolean {
  return d.capabilities.size === 0 && d.detections.size === 0 && d.servers.size === 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
