// Which apps sweep the GC phase, how much per round, and how many startup rounds they get.
// Used by the measuring loops (lib/measure.mjs) and the report; no side effects.

/**
 * GC phase sweep for the typical apps (apps/gc-phase.cjs). Whether V8 runs a collection just before
 * or just after an app's last line, and how long it then holds the exit (it finishes a started
 * mark-compact and waits for its sweeping there), depends on how full the heap is at that moment,
 * and a few hundred KiB decide it. At the one point where typical.cjs ends on Node 22.23.3, a
 * preload that keeps 100 KiB alive adds 10 to 13 ms to plain node's run and one that keeps 3 MiB
 * takes 3 ms off; a no-op sync hook adds 13 ms to typical.mjs's exit and a preload that allocates
 * 650 KiB of garbage takes 13 ms off. A single phase measures where the run ends, not what an agent
 * costs. So round r of N: r/N of 9 MiB of short-lived arrays before the last line (about one young
 * generation) and, in another order, up to 4 MiB kept alive from the start (old generation); the
 * same for plain node and every agent in that round.
 */
export function gcPhaseEnv (round, rounds) {
  const youngKiB = Math.round((round * 9216) / rounds)
  const retainedKiB = Math.round((((round + 0.5) * 0.6180339887) % 1) * 4096)
  return { BENCH_GC_PHASE_KIB: String(youngKiB), BENCH_GC_RETAIN_KIB: String(retainedKiB) }
}

const SWEPT_APPS = new Set(['typical.cjs', 'typical.mjs'])

/** Whether an app's runs sweep the GC phase. */
export const isSwept = (app) => SWEPT_APPS.has(app)

/**
 * Startup rounds per app. A typical app's paired ratio spreads ±0.04 to ±0.09 over the GC phases on
 * two shared cores (full run of 2026-11-26, 8 rounds), so its median needs more of them than a
 * hello-world does.
 */
export const startupRounds = (app, rounds) => (SWEPT_APPS.has(app) ? rounds * 2 : rounds)
