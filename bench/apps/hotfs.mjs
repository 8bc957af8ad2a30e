// Hot path, A/B inside one process, through ESM named imports (see hotfs.cjs for the method).
// A = the named imports `statSync` / `existsSync` from 'fs' as this module sees them,
// B = the original functions kept by ../preloads/pristine.cjs before any agent loaded.
import { statSync, existsSync } from 'fs'
import { fileURLToPath } from 'url'
const P = globalThis[Symbol.for('aim-bench.pristine-fs')]
if (!P) throw new Error('hotfs needs --require preloads/pristine.cjs before the agent')
const N = Number(process.env.HOT_N || 1e6)
const B = Number(process.env.HOT_BATCHES || 40)
const per = Math.max(1, Math.floor(N / B))
const target = fileURLToPath(import.meta.url)

function appStat (n) { let k = 0; for (let i = 0; i < n; i++) if (statSync(target)) k++; return k }
function origStat (n) { let k = 0; for (let i = 0; i < n; i++) if (P.statSync(target)) k++; return k }
function appExists (n) { let k = 0; for (let i = 0; i < n; i++) if (existsSync(target)) k++; return k }
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
const wrappedBefore = { statSync: statSync !== P.statSync, existsSync: existsSync !== P.existsSync }
const statRes = ab(appStat, origStat)
const existsRes = ab(appExists, origExists)
const out = {
  wrappedBefore,
  patched: { statSync: statSync !== P.statSync, existsSync: existsSync !== P.existsSync },
  statSync: statRes,
  existsSync: existsRes
}
console.log(`hotfs ${JSON.stringify(out)}`)
