// Per-module cost, timed in-process: one dynamic import() of ../.work/gen/esm/index.mjs, which statically
// imports the generated tiny ES modules; prints the milliseconds the whole graph took to load.
const t0 = performance.now()
const m = await import(new URL('../.work/gen/esm/index.mjs', import.meta.url))
const ms = performance.now() - t0
console.log(`loadmany ${JSON.stringify({ ms, n: m.n, s: m.s })}`)
