/**
 * When the reporter sends, as a pure schedule over an injected clock (tests drive it with fake
 * timers): one batch after a quiet window at startup, then debounced deltas; at most
 * `ratePerMinute` requests a minute; exponential backoff with jitter, and `Retry-After`.
 * It decides times only; what to send is the reporter's business.
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

/** Time and timers, injected: the agent's timers never hold the app's process open. */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`, without keeping the process alive. */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** 0 <= x < 1, for the backoff's jitter. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
  random: () => Math.random(),
};

export class Schedule {
  private readonly startedAt: number;
  private lastChangeAt: number;
  private firstUnsentChangeAt: number | undefined;
  private startupDone = false;
  private pausedUntil = 0;
  private failures = 0;
  private readonly sentAt: number[] = [];
  private timer: unknown;

  constructor(
    private readonly timings: ReporterTimings,
    private readonly clock: Clock = systemClock,
  ) {
    this.startedAt = this.lastChangeAt = clock.now();
  }

  get now(): number {
    return this.clock.now();
  }

  /** Whether the startup batch has gone (later changes are debounced deltas). */
  get started(): boolean {
    return this.startupDone;
  }

  /** The inventory changed. */
  changed(): void {
    const now = this.clock.now();
    this.lastChangeAt = now;
    this.firstUnsentChangeAt ??= now;
  }

  /** When the next pass is due (epoch ms): the quiet window, the debounce, the backoff and the rate limit. */
  dueAt(): number {
    const t = this.timings;
    const due = this.startupDone
      ? Math.min(this.lastChangeAt + t.debounceMs, (this.firstUnsentChangeAt ?? this.clock.now()) + t.debounceMaxMs)
      : Math.min(Math.max(this.startedAt, this.lastChangeAt) + t.quietMs, this.startedAt + t.quietMaxMs);
    return Math.max(due, this.pausedUntil, this.rateFreeAt());
  }

  /** Runs `pass` when due, replacing any earlier arming. */
  arm(pass: () => void): void {
    this.disarm();
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      pass();
    }, Math.max(0, this.dueAt() - this.clock.now()));
  }

  disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** A pass starts: what changed so far is in it. */
  passStarted(): void {
    this.startupDone = true;
    this.firstUnsentChangeAt = undefined;
  }

  /** Milliseconds to wait before the next request may go (backoff, rate limit); 0 when it may go now. */
  waitBeforeSend(): number {
    return Math.max(0, Math.max(this.pausedUntil, this.rateFreeAt()) - this.clock.now());
  }

  /** A request goes now. */
  sent(): void {
    this.sentAt.push(this.clock.now());
    if (this.sentAt.length > this.timings.ratePerMinute) this.sentAt.shift();
  }

  succeeded(): void {
    this.failures = 0;
  }

  /** A failure: pause for the backoff (jittered), or `Retry-After` when longer; returns the pause. */
  failed(retryAfterMs = 0): number {
    const t = this.timings;
    this.failures++;
    const backoff = Math.min(t.backoffMaxMs, t.backoffBaseMs * 2 ** Math.min(this.failures - 1, 20));
    const jittered = backoff / 2 + this.clock.random() * (backoff / 2);
    const wait = Math.max(jittered, Math.min(retryAfterMs, t.retryAfterMaxMs));
    this.pausedUntil = this.clock.now() + wait;
    return wait;
  }

  /** How long to wait at exit: the flush bound, or at most `shortFlushMs` for a short-lived process. */
  exitBound(flushTimeoutMs: number, uptimeMs: number): number {
    const t = this.timings;
    return uptimeMs < t.shortLivedMs ? Math.min(flushTimeoutMs, t.shortFlushMs) : flushTimeoutMs;
  }

  private rateFreeAt(): number {
    const limit = this.timings.ratePerMinute;
    if (this.sentAt.length < limit) return 0;
    return this.sentAt[this.sentAt.length - limit]! + 60_000;
  }
}
