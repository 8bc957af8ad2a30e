'use strict'
// Hot path, A/B inside one process (run with --require ../preloads/pristine.cjs first, then the agent).
// A = fs.statSync / fs.existsSync as the app sees them (property read on the CJS fs object each call),
// B = the original functions kept before any agent loaded. After a warm-up of both, HOT_BATCHES batches
// alternate A B / B A; each batch is HOT_N / HOT_BATCHES calls. Prints ns per call for every batch.
const fs = require('fs')
const P = globalThis[Symbol.for('aim-bench.pristine-fs')]
if (!P) throw new Error('hotfs needs --require preloads/pristine.cjs before the agent')
const N = Number(process.env.HOT_N || 1e6)
const B = Number(process.env.HOT_BATCHES || 40)
const per = Math.max(1, Math.floor(N / B))
const target = __filename

function appStat (n) { let k = 0; for (let i = 0; i < n; i++) if (fs.statSync(target)) k++; return k }
function origStat (n) { let k = 0; for (let i = 0; i < n; i++) if (P.statSync(target)) k++; return k }
function appExists (n) { let k = 0; for (let i = 0; i < n; i++) if (fs.existsSync(target)) k++; return k }
function origExists (n) { let k = 0; for (let i = 0; i < n; i++) if (P.existsSync(target)) k++; return k }

function time (fn, n) { const t0 = process.hrtime.bigint(); fn(n); return Number(process.hrtime.bigint() - t0) / n }
function ab (a, b) {
  for (let w = 0; w < 5; w++) { a(20000); b(20000) } // first use + JIT warm-up, both sides
  const app = []; const orig = []
  for (let i = 0; i < B; i++) {
    if (i % 2 === 0) { app.push(time(a, per)); orig.push(time(b, per)) } else { orig.push(time(b, per)); app.push(time(a, per)) }
  }
  return { app, orig }
}
// wrapped: is the binding still not the original? (before any call, and after the timed calls)
const wrappedBefore = { statSync: fs.statSync !== P.statSync, existsSync: fs.existsSync !== P.existsSync }
const statRes = ab(appStat, origStat)
const existsRes = ab(appExists, origExists)
const out = {
  wrappedBefore,
  patched: { statSync: fs.statSync !== P.statSync, existsSync: fs.existsSync !== P.existsSync },
  statSync: statRes,
  existsSync: existsRes
}
console.log(`hotfs ${JSON.stringify(out)}`)
