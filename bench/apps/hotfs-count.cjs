'use strict'
// Hot path in instructions (bench/instructions.mjs --hot): after the same warm-up in every run,
// HOT_N calls of HOT_API (existsSync or statSync) through HOT_VIA: `app` = the binding the app sees
// (`fs.existsSync`, maybe an agent's wrapper), `original` = the function ../preloads/pristine.cjs kept
// before any agent loaded. A run with HOT_N=0 counts everything else, so the difference over HOT_N
// is the cost of one call.
const fs = require('fs')
const P = globalThis[Symbol.for('aim-bench.pristine-fs')]
if (!P) throw new Error('hotfs-count needs --require preloads/pristine.cjs before the agent')
const N = Number(process.env.HOT_N || 0)
const api = process.env.HOT_API === 'statSync' ? 'statSync' : 'existsSync'
const target = __filename

// Named property reads, as in apps/hotfs.cjs and in programs (a computed key is another IC).
const loops = {
  existsSync: {
    app (n) { let k = 0; for (let i = 0; i < n; i++) if (fs.existsSync(target)) k++; return k },
    original (n) { let k = 0; for (let i = 0; i < n; i++) if (P.existsSync(target)) k++; return k }
  },
  statSync: {
    app (n) { let k = 0; for (let i = 0; i < n; i++) if (fs.statSync(target)) k++; return k },
    original (n) { let k = 0; for (let i = 0; i < n; i++) if (P.statSync(target)) k++; return k }
  }
}[api]

for (let w = 0; w < 5; w++) { loops.app(20000); loops.original(20000) } // first use + JIT warm-up, both sides
const calls = process.env.HOT_VIA === 'app' ? loops.app : loops.original
for (let done = 0; done < N; done += 10000) calls(Math.min(10000, N - done))
