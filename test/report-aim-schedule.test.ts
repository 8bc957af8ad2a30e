import { afterEach, describe, expect, it, vi } from 'vitest';
import { Inventory, type CapabilityId } from '../src/inventory/index.js';
import type { Outcome, Protocol } from '../src/report/aim/outcome.js';
import { Reporter } from '../src/report/aim/reporter.js';
import { DEFAULT_TIMINGS, Schedule, systemClock, type ReporterTimings } from '../src/report/aim/schedule.js';
import { outcomeWarnings } from '../src/report/aim/warnings.js';

/** The reporter's schedule as a pure function of an injected clock, driven by fake timers. */
afterEach(() => {
  vi.useRealTimers();
});

const timings: ReporterTimings = { ...DEFAULT_TIMINGS, quietMs: 1000, quietMaxMs: 3000, debounceMs: 500, debounceMaxMs: 5000 };

function armed(schedule: Schedule): { fired: number[] } {
  const out = { fired: [] as number[] };
  schedule.arm(() => out.fired.push(Date.now()));
  return out;
}

describe('reporter schedule', () => {
  it('sends the startup batch after a quiet window, bounded by quietMaxMs', () => {
    vi.useFakeTimers({ now: 0 });
    const s = new Schedule(timings, systemClock);
    let probe = armed(s);
    vi.advanceTimersByTime(999);
    expect(probe.fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(probe.fired).toEqual([1000]);

    // Changes every 500 ms keep the window open, but not beyond quietMaxMs.
    vi.setSystemTime(0);
    const busy = new Schedule(timings, systemClock);
    probe = armed(busy);
    for (let t = 500; t <= 4000; t += 500) {
      vi.advanceTimersByTime(500);
      if (probe.fired.length) break;
      busy.changed();
      probe = armed(busy);
    }
    expect(probe.fired).toEqual([3000]);
  });

  it('debounces later changes, bounded by debounceMaxMs', () => {
    vi.useFakeTimers({ now: 0 });
    const s = new Schedule(timings, systemClock);
    s.passStarted();
    s.changed();
    let probe = armed(s);
    vi.advanceTimersByTime(500);
    expect(probe.fired).toEqual([500]);

    s.passStarted();
    const first = Date.now();
    probe = { fired: [] };
    for (let i = 0; i < 30 && !probe.fired.length; i++) {
      s.changed();
      probe = armed(s);
      vi.advanceTimersByTime(400);
    }
    expect(probe.fired[0]! - first).toBe(5000);
  });

  it('backs off exponentially with jitter, honours Retry-After, and limits the rate', () => {
    vi.useFakeTimers({ now: 0 });
    const clock = { ...systemClock, random: () => 0.5 };
    const s = new Schedule({ ...timings, backoffBaseMs: 1000, backoffMaxMs: 8000, retryAfterMaxMs: 60_000, ratePerMinute: 3 }, clock);
    expect([s.failed(), s.failed(), s.failed(), s.failed(), s.failed()]).toEqual([750, 1500, 3000, 6000, 6000]);
    expect(s.waitBeforeSend()).toBe(6000);
    expect(s.failed(30_000)).toBe(30_000);
    s.succeeded();
    expect(s.failed()).toBe(750);
    vi.advanceTimersByTime(1000);
    for (let i = 0; i < 3; i++) s.sent();
    expect(s.waitBeforeSend()).toBe(60_000);
    vi.advanceTimersByTime(60_000);
    expect(s.waitBeforeSend()).toBe(0);
  });

  it('gives a short-lived process a short flush at exit', () => {
    const s = new Schedule(timings, systemClock);
    expect(s.exitBound(2000, 1000)).toBe(timings.shortFlushMs);
    expect(s.exitBound(2000, 60_000)).toBe(2000);
  });
});

describe('reporter: a change is cheap', () => {
  it('takes no snapshot (no require.cache scan) per change, one per pass', async () => {
    vi.useFakeTimers({ now: 0 });
    let scans = 0;
    const inventory = new Inventory(
      { pid: 1, ppid: 0, argv: ['node', 'app.js'], cwd: '/', node: process.version },
      { version: '0.1.0', hookMode: 'sync', visibility: 'full', preloadMs: 1, internalErrors: 0 },
      () => undefined,
      () => void scans++,
    );
    const sent: string[] = [];
    const ok = (what: string): Promise<Outcome> => {
      sent.push(what);
      return Promise.resolve({ kind: 'ok' });
    };
    const protocol: Protocol = {
      getAgent: () => {
        sent.push('agent');
        return Promise.resolve({ kind: 'ok', agent: { id: 'a', granted: [], revoked: [], talksTo: [] } });
      },
      reportDetections: () => ok('detections'),
      grantCapability: (_a, c) => ok(c.id),
      addMcpServers: () => ok('servers'),
      close: () => {},
    };
    const reporter = new Reporter(inventory, {
      agent: 'a',
      reportPotential: false,
      flushTimeoutMs: 100,
      timings,
      loadProtocol: () => Promise.resolve(protocol),
      redact: (t) => t,
    });
    try {
      const use = (id: string): void =>
        void inventory.addEvidence(id as CapabilityId, { strength: 'used', api: id, who: 'app', firstSeen: 'now' }, 90);
      use('fs:read');
      await vi.advanceTimersByTimeAsync(1000);
      expect(sent).toEqual(['agent', 'detections', 'fs:read']);
      const before = scans;
      for (let i = 0; i < 50; i++) use(`x${i}:read`);
      expect(scans).toBe(before);
      await vi.advanceTimersByTimeAsync(500);
      expect(sent).toHaveLength(3 + 50);
      expect(scans - before).toBeLessThanOrEqual(2);
    } finally {
      reporter.dispose();
    }
  });
});

describe('reporter warnings', () => {
  it('has a stable code and words for every situation', () => {
    const context = { describe: 'capabilities fs:read', route: 'capabilities', agent: 'my-agent', status: 401, reason: 'bad', tries: 4 };
    for (const [situation, row] of Object.entries(outcomeWarnings)) {
      expect(row.code, situation).toMatch(/^AIM-R\d{3}-?$/);
      expect(row.text(context).length, situation).toBeGreaterThan(20);
    }
  });
});
