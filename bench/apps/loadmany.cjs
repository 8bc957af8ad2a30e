'use strict'
// Per-module cost, timed in-process: require() BENCH_MANY (default 1000) generated tiny CJS modules
// (../.work/gen/cjs) and print the milliseconds that took. Startup noise stays out of the figure.
const path = require('path')
const dir = path.join(__dirname, '..', '.work', 'gen', 'cjs')
const n = Number(process.env.BENCH_MANY || 1000)
const t0 = performance.now()
let s = 0
for (let i = 0; i < n; i++) s += require(`${dir}/m${String(i).padStart(4, '0')}.cjs`).f(0)
const ms = performance.now() - t0
console.log(`loadmany ${JSON.stringify({ ms, n, s })}`)
