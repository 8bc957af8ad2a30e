import { readFileSync, realpathSync } from 'node:fs'
realpathSync('.'); readFileSync(new URL(import.meta.url))
const t0 = performance.now()
const m = await import(new URL('../.work/gen/esm/index.mjs', import.meta.url))
const ms = performance.now() - t0
console.log(`loadmany ${JSON.stringify({ ms, n: m.n, s: m.s })}`)
