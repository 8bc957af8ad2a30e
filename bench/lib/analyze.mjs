// Reduces raw samples to medians and IQRs, and checks aim against the budget (design section 7).
import { summary, median } from './stats.mjs'
import { isSwept } from './gc-phase.mjs'

const sub = (xs, f) => summary(xs.map(f))

export function analyzeNode (raw) {
  const s = { node: raw.node, startup: {}, modules: {}, hot: {}, reporter: null, exit: {} }
  for (const [app, byAgent] of Object.entries(raw.startup || {})) {
    s.startup[app] = {}
    const plainAll = Object.values(byAgent).flat().map((x) => x.p)
    const plainRss = Object.values(byAgent).flat().map((x) => x.pRss)
    s.startup[app].plain = { ms: summary(plainAll), rss: summary(plainRss) }
    const plainOf = roundPlain(byAgent)
    for (const [agent, xs] of Object.entries(byAgent)) {
      s.startup[app][agent] = {
        ms: sub(xs, (x) => x.a),
        ratio: sub(xs, (x) => x.a / plainOf(x).ms),
        added: sub(xs, (x) => x.a - plainOf(x).ms),
        rss: sub(xs, (x) => x.aRss),
        rssAdded: sub(xs, (x) => x.aRss - plainOf(x).rss),
        stdoutSame: xs.every((x) => x.stdoutSame),
        stderrBytes: Math.max(...xs.map((x) => x.stderrBytes))
      }
    }
  }
  for (const [app, byAgent] of Object.entries(raw.modules || {})) {
    s.modules[app] = {}
    const all = Object.values(byAgent).flat()
    if (all.length) s.modules[app].plain = { usPerModule: summary(all.map((x) => (x.p / x.n) * 1000)) }
    for (const [agent, xs] of Object.entries(byAgent)) {
      s.modules[app][agent] = {
        usPerModule: sub(xs, (x) => ((x.a - x.p) / x.n) * 1000), // added over plain, in-process
        wallUsPerModule: sub(xs, (x) => ((x.aWall - x.pWall) / x.n) * 1000) // whole process incl. fixed startup
      }
    }
  }
  for (const [app, byAgent] of Object.entries(raw.hot || {})) {
    s.hot[app] = {}
    const plainApp = {}
    for (const fn of ['statSync', 'existsSync']) plainApp[fn] = median((byAgent.plain || []).flatMap((r) => r[fn].app))
    for (const [agent, runs] of Object.entries(byAgent)) {
      const o = {}
      for (const fn of ['statSync', 'existsSync']) {
        const ratios = runs.flatMap((r) => r[fn].app.map((v, i) => v / r[fn].orig[i]))
        const appNs = median(runs.flatMap((r) => r[fn].app))
        o[fn] = {
          appNs,
          origNs: median(runs.flatMap((r) => r[fn].orig)),
          slowerPct: summary(ratios.map((x) => (x - 1) * 100)),
          crossProcessPct: (appNs / plainApp[fn] - 1) * 100,
          patched: runs.some((r) => r.patched[fn]),
          wrappedBefore: runs.some((r) => r.wrappedBefore?.[fn])
        }
      }
      s.hot[app][agent] = o
    }
  }
  if (raw.reporter?.length) {
    const xs = raw.reporter
    s.reporter = {
      rss: sub(xs, (x) => x.aRss),
      plainRss: sub(xs, (x) => x.pRss),
      rssAdded: sub(xs, (x) => x.aRss - x.pRss),
      requests: median(xs.map((x) => x.requests)),
      routes: xs[xs.length - 1].routes
    }
  }
  for (const [id, xs] of Object.entries(raw.exit || {})) {
    if (!xs.length) continue
    const rss = xs.filter((x) => typeof x.rss === 'number')
    s.exit[id] = { lag: sub(xs, (x) => x.lag), toLine: sub(xs, (x) => x.toLine), wall: sub(xs, (x) => x.wall), rss: rss.length ? sub(rss, (x) => x.rss) : null, requests: xs.some((x) => x.requests !== null) ? median(xs.map((x) => x.requests)) : null }
  }
  return s
}

/** Worst (largest) hot-path slowdown of an agent over the four A/B series. */
export function hotWorst (s, agent) {
  let worst = null
  for (const app of Object.keys(s.hot)) {
    const h = s.hot[app][agent]
    if (!h) continue
    for (const fn of ['statSync', 'existsSync']) {
      if (!worst || h[fn].slowerPct.median > worst.pct.median) worst = { app, fn, pct: h[fn].slowerPct }
    }
  }
  return worst
}

/**
 * The plain run each startup sample is compared with: the median of every plain run of its app in
 * its round (one per agent, all at the same GC phase, seconds apart), not only its own pair's. One
 * plain run's jitter was half of a ratio's spread on these cores. Samples without a round (results
 * from before 2026-11-26) keep their pair.
 */
function roundPlain (byAgent) {
  const byRound = new Map()
  for (const x of Object.values(byAgent).flat()) {
    if (x.round === undefined) continue
    const list = byRound.get(x.round) || []
    list.push(x)
    byRound.set(x.round, list)
  }
  const rssOf = (xs) => (xs.every((x) => typeof x.pRss === 'number') ? median(xs.map((x) => x.pRss)) : null)
  const baseline = new Map([...byRound].map(([round, xs]) => [round, { ms: median(xs.map((x) => x.p)), rss: rssOf(xs) }]))
  return (x) => {
    const b = baseline.get(x.round)
    return { ms: b?.ms ?? x.p, rss: b?.rss ?? x.pRss }
  }
}

/** The label of a budget line whose app runs with the GC phase swept. */
const swept = (app) => (isSwept(app) ? ', GC phase swept' : '')

/**
 * PASS when the median is within the limit. A median over the limit by less than its own noise
 * (±IQR/2, the half-spread the cells show) is 'over, in noise': the rounds straddle the limit, and a
 * second run can come out either side of it (on two shared cores a hello cell moves by 2 to 6 ms from
 * one run to the next). FAIL is over by more than that. Lines without a measured spread are PASS or FAIL.
 */
export function verdict (pass, value, bound, noise) {
  if (pass === null) return 'n/a'
  if (pass) return 'PASS'
  return Number.isFinite(bound) && Number.isFinite(noise) && value - noise / 2 <= bound ? 'over, in noise' : 'FAIL'
}

/** The budget lines (design section 7) for aim on one Node version. */
export function budget (s) {
  const lines = []
  const sync = s.node.sync
  const startLimit = sync ? 10 : 20
  const add = (name, value, limit, fmt, ok, noise, bound) => {
    const pass = value === null || Number.isNaN(value) ? null : ok
    lines.push({ name, value, limit, fmt, pass, noise, verdict: verdict(pass, value, bound, noise) })
  }
  // A line whose rounds may straddle its limit: within `bound`, or over it in noise (verdict above).
  const addWithin = (name, value, limit, fmt, bound, noise) => add(name, value, limit, fmt, value <= bound, noise, bound)
  for (const app of ['hello.cjs', 'hello.mjs']) {
    const x = s.startup[app]?.aim
    addWithin(`startup ${app}: added ms`, x ? x.added.median : null, `≤ +${startLimit} ms${sync ? ' (sync hooks)' : ''}`, 'ms', startLimit, x?.added.iqr)
  }
  const cjs = s.modules['loadmany.cjs']?.aim
  addWithin('per CJS module', cjs ? cjs.usPerModule.median : null, '≤ 20 µs', 'us', 20, cjs?.usPerModule.iqr)
  const esm = s.modules['loadmany.mjs']?.aim
  addWithin(`per ES module${sync ? ' (sync hooks)' : ''}`, esm ? esm.usPerModule.median : null, '≤ 30 µs', 'us', 30, esm?.usPerModule.iqr)
  for (const app of ['typical.cjs', 'typical.mjs']) {
    const x = s.startup[app]?.aim
    addWithin(`typical app ${app}${swept(app)}`, x ? x.ratio.median : null, '≤ ×1.10', 'x', 1.10, x?.ratio.iqr)
  }
  const hw = hotWorst(s, 'aim')
  const restored = Object.values(s.hot).every((o) => !o.aim || ['statSync', 'existsSync'].every((fn) => !o.aim[fn].patched))
  addWithin(`hot fs, worst of 4${hw ? ` (${hw.app.replace('hotfs.', '')} ${hw.fn})` : ''}${hw && restored ? ', original restored after first use' : ''}`, hw ? hw.pct.median : null, '≤ +2 %', 'pct', 2, hw?.pct.iqr)
  for (const app of ['hello.mjs', 'typical.mjs']) {
    const x = s.startup[app]?.aim
    add(`RSS before anything is sent, ${app}${swept(app)}`, x ? x.rssAdded.median : null, '≤ +5 MiB', 'mib', x ? x.rssAdded.median <= 5 : null, x?.rssAdded.iqr)
  }
  if (s.reporter) add(`RSS with the reporter loaded (${s.reporter.requests} requests seen)`, s.reporter.rssAdded.median, '≤ +15 MiB', 'mib', s.reporter.rssAdded.median <= 15 && s.reporter.requests > 0, s.reporter.rssAdded.iqr)
  for (const app of ['hello.mjs', 'typical.mjs']) {
    const a = s.exit[`aim ${app}, nothing to send`]; const p = s.exit[`plain ${app}`]
    const v = a && p ? a.lag.median - p.lag.median : null
    add(`exit lag, nothing to send, ${app}${swept(app)}`, v, '≤ +5 ms', 'ms', v === null ? null : v <= 5, a?.lag.iqr)
  }
  for (const k of ['AIM slow (2 s answers)', 'AIM down']) {
    const a = s.exit[`aim typical.mjs, ${k}`]
    add(`exit lag, ${k}: bounded flush`, a ? a.lag.median : null, '≤ 1000 ms', 'msabs', a ? a.lag.median <= 1000 : null, a?.lag.iqr)
  }
  const stdoutOk = ['hello.cjs', 'hello.mjs', 'typical.cjs', 'typical.mjs'].every((app) => s.startup[app]?.aim?.stdoutSame !== false)
  if (s.startup['hello.mjs']?.aim) lines.push({ name: 'stdout untouched (same bytes as plain node)', value: stdoutOk ? 1 : 0, limit: 'identical', fmt: 'bool', pass: stdoutOk, verdict: verdict(stdoutOk) })
  return lines
}

/** "aim ahead of every other agent" checks, by median, with the runner-up and the noise. */
export function ranking (s) {
  const out = []
  const others = (obj) => Object.keys(obj || {}).filter((a) => !['plain', 'empty', 'noop-sync', 'aim', 'aim-require', 'aim-alt'].includes(a))
  // `noise` (optional) gives a figure's spread: a rival ahead by less than the larger spread is
  // level, not ahead (an agent that adds nothing per module cannot be beaten, only matched).
  const cmp = (name, obj, get, fmt, noise) => {
    if (!obj?.aim) return
    const mine = get(obj.aim)
    const rivals = others(obj).map((a) => ({ a, v: get(obj[a]), n: noise?.(obj[a]) ?? 0 })).filter((x) => Number.isFinite(x.v)).sort((x, y) => x.v - y.v)
    if (!rivals.length) return
    const best = rivals[0]
    const tolerance = noise ? Math.max(noise(obj.aim) ?? 0, best.n) : 0
    const ahead = mine < best.v ? 'yes' : mine - best.v <= tolerance ? 'level' : 'NO'
    out.push({ name, aim: mine, best: best.a, bestValue: best.v, fmt, ahead })
  }
  for (const app of ['hello.cjs', 'hello.mjs', 'typical.cjs', 'typical.mjs']) cmp(`startup ${app}`, s.startup[app], (x) => x.ratio?.median, 'x')
  for (const app of ['loadmany.cjs', 'loadmany.mjs']) cmp(`per module ${app.replace('loadmany.', '')}`, s.modules[app], (x) => x.usPerModule?.median, 'us', (x) => x.usPerModule?.iqr)
  for (const app of ['hello.mjs', 'typical.mjs']) cmp(`RSS ${app}`, s.startup[app], (x) => x.rssAdded?.median, 'mib')
  // hot path: level with the best = within the larger of the two IQRs
  const agents = new Set(Object.values(s.hot).flatMap((o) => Object.keys(o)))
  if (agents.has('aim')) {
    const mine = hotWorst(s, 'aim')
    const rivals = [...agents].filter((a) => !['plain', 'empty', 'noop-sync', 'aim', 'aim-require', 'aim-alt'].includes(a)).map((a) => ({ a, w: hotWorst(s, a) })).filter((x) => x.w).sort((x, y) => x.w.pct.median - y.w.pct.median)
    if (rivals.length && mine) {
      const best = rivals[0]
      const tol = Math.max(mine.pct.iqr, best.w.pct.iqr, 0.5)
      out.push({ name: 'hot fs (worst of 4), level with best', aim: mine.pct.median, best: best.a, bestValue: best.w.pct.median, fmt: 'pct', ahead: mine.pct.median <= best.w.pct.median + tol ? 'yes' : 'NO' })
    }
  }
  return out
}
