// The measuring loops. Every whole-process figure is paired: each agent run sits next to a plain-node run
// of the same app (order inside the pair random), and the agents' order is shuffled every round, so
// machine drift spreads evenly over all rows. Results are raw samples; lib/analyze.mjs reduces them.
import { join } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { runOnce } from './run-once.mjs'
import { AGENTS, BASE_ENV } from './agents.mjs'
import { shuffled } from './stats.mjs'
import { gcPhaseEnv, isSwept, startupRounds } from './gc-phase.mjs'

const MARKERS = {
  'hello.cjs': /^hello$/m,
  'hello.mjs': /^hello$/m,
  'typical.cjs': /^typical /m,
  'typical.mjs': /^typical /m,
  'typical-wait.mjs': /^waited$/m,
  'loadmany.cjs': /^loadmany /m,
  'loadmany.mjs': /^loadmany /m,
  'hotfs.cjs': /^hotfs /m,
  'hotfs.mjs': /^hotfs /m
}

export function cleanEnv (extra = {}) {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('AIM_') || k === 'NODE_OPTIONS' || k.startsWith('OTEL_') || k.startsWith('DD_') || k.startsWith('SENTRY_')) continue
    env[k] = v
  }
  return { ...env, ...BASE_ENV, ...extra }
}

export class Bench {
  constructor ({ benchDir, aimDist, aimAlt, agents, rand, progress, quick }) {
    this.benchDir = benchDir
    this.aimDist = aimDist
    this.aimAlt = aimAlt
    this.agents = AGENTS.filter((a) => agents.includes(a.id))
    this.rand = rand
    this.progress = progress
    this.quick = quick
    this.failures = []
    this.broken = new Set() // "node|app|agent" that failed twice: not run again
    this.failCount = new Map()
  }

  flagsFor (agent, app, node) {
    return agent.flags(app, { benchDir: this.benchDir, aimDist: this.aimDist, aimAlt: this.aimAlt, node })
  }

  /** Agents (not plain) that run this app on this node. */
  agentsFor (app, node, { withEmpty = true } = {}) {
    return this.agents.filter((a) => a.id !== 'plain' && (withEmpty || a.id !== 'empty') && this.flagsFor(a, app, node) !== null)
  }

  async run (node, agent, app, { env = {}, pre = [] } = {}) {
    const key = `${node.version}|${app}|${agent.id}`
    if (this.broken.has(key)) return null
    const flags = [...pre, ...this.flagsFor(agent, app, node)]
    // With a key, every run starts as a first deployment: its own spool, fleet state and credentials,
    // never the user's (~/.config/aim, <tmpdir>/aim-spool-<uid>) nor shared with other runs.
    let scratch = null
    if (env.AIM_API_KEY) {
      scratch = mkdtempSync(join(tmpdir(), 'aim-bench-state-'))
      env = { ...env, AIM_SPOOL_DIR: join(scratch, 'spool'), XDG_CONFIG_HOME: join(scratch, 'config') }
    }
    const r = await runOnce({
      node: node.bin,
      flags,
      app: join('apps', app),
      cwd: this.benchDir,
      env: cleanEnv({ ...(agent.env || {}), ...env }),
      marker: MARKERS[app]
    })
    if (scratch) rmSync(scratch, { recursive: true, force: true })
    this.progress.tick(`Node ${node.version} · ${app} · ${agent.id}`)
    if (r.code !== 0 || r.markerMs === null) {
      const n = (this.failCount.get(key) || 0) + 1
      this.failCount.set(key, n)
      this.failures.push({ node: node.version, app, agent: agent.id, code: r.code, signal: r.signal, stderr: r.stderr.slice(0, 2000) })
      if (n >= 2) this.broken.add(key)
      return null
    }
    return r
  }

  /** Adjacent pair (plain, agent) in random order. Returns { a, p } or null. */
  async pair (node, agent, app, opts = {}) {
    const plain = this.agents.find((a) => a.id === 'plain')
    const plainOpts = { env: opts.plainEnv || {}, pre: opts.pre || [] }
    let a, p
    if (this.rand() < 0.5) { p = await this.run(node, plain, app, plainOpts); a = await this.run(node, agent, app, opts) } else { a = await this.run(node, agent, app, opts); p = await this.run(node, plain, app, plainOpts) }
    return a && p ? { a, p } : null
  }

  /**
   * Whole-process startup: every agent x app, paired with plain, `rounds` rounds; the typical apps
   * twice as many (startupRounds), since each of their rounds is another GC phase (gcPhaseEnv).
   * Each sample keeps its round: the analysis compares it with all plain runs of that round.
   */
  async startup (node, apps, rounds) {
    const out = {}
    for (const app of apps) out[app] = {}
    const most = Math.max(...apps.map((app) => startupRounds(app, rounds)))
    for (let r = 0; r < most; r++) {
      for (const app of shuffled(apps.filter((a) => r < startupRounds(a, rounds)), this.rand)) {
        const env = isSwept(app) ? gcPhaseEnv(r, startupRounds(app, rounds)) : {}
        for (const agent of shuffled(this.agentsFor(app, node), this.rand)) {
          const pr = await this.pair(node, agent, app, { env, plainEnv: env })
          if (!pr) continue
          ;(out[app][agent.id] ||= []).push({
            round: r, a: pr.a.wallMs, p: pr.p.wallMs, aRss: pr.a.rssMiB, pRss: pr.p.rssMiB,
            stdoutSame: pr.a.stdout === pr.p.stdout, stderrBytes: pr.a.stderr.length
          })
        }
      }
    }
    return out
  }

  /** Per-module cost, timed inside the process (loadmany.*), paired with plain. */
  async modules (node, rounds) {
    const apps = ['loadmany.cjs', 'loadmany.mjs']
    const out = { 'loadmany.cjs': {}, 'loadmany.mjs': {} }
    const parse = (r) => JSON.parse(/^loadmany (.*)$/m.exec(r.stdout)[1])
    for (let r = 0; r < rounds; r++) {
      for (const app of shuffled(apps, this.rand)) {
        for (const agent of shuffled(this.agentsFor(app, node, { withEmpty: false }), this.rand)) {
          const pr = await this.pair(node, agent, app)
          if (!pr) continue
          const a = parse(pr.a); const p = parse(pr.p)
          ;(out[app][agent.id] ||= []).push({ a: a.ms, p: p.ms, n: a.n, aWall: pr.a.wallMs, pWall: pr.p.wallMs })
        }
      }
    }
    return out
  }

  /** Hot fs path: one process per agent per round; A/B batches inside it (apps/hotfs.*). */
  async hot (node, rounds, env) {
    const apps = ['hotfs.cjs', 'hotfs.mjs']
    const out = { 'hotfs.cjs': {}, 'hotfs.mjs': {} }
    const pre = ['--require', './preloads/pristine.cjs']
    for (let r = 0; r < rounds; r++) {
      for (const app of shuffled(apps, this.rand)) {
        const list = [this.agents.find((a) => a.id === 'plain'), ...this.agentsFor(app, node, { withEmpty: false })]
        for (const agent of shuffled(list, this.rand)) {
          const res = await this.run(node, agent, app, { pre, env })
          if (!res) continue
          ;(out[app][agent.id] ||= []).push(JSON.parse(/^hotfs (.*)$/m.exec(res.stdout)[1]))
        }
      }
    }
    return out
  }

  /** Peak RSS with the reporter loaded: typical-wait.mjs with a key and a live fake AIM, paired with plain. */
  async reporter (node, rounds, fake, waitMs) {
    const aim = this.agents.find((a) => a.id === 'aim')
    if (!aim || this.flagsFor(aim, 'typical-wait.mjs', node) === null) return []
    const out = []
    for (let r = 0; r < rounds; r++) {
      fake.reset()
      const env = { BENCH_WAIT_MS: String(waitMs) }
      const pr = await this.pair(node, aim, 'typical-wait.mjs', { env: { ...env, ...aimKeyEnv(fake.url) }, plainEnv: env })
      if (!pr) continue
      out.push({ a: pr.a.wallMs, p: pr.p.wallMs, aRss: pr.a.rssMiB, pRss: pr.p.rssMiB, requests: fake.stats.requests, routes: { ...fake.stats.byRoute } })
    }
    return out
  }

  /**
   * Exit lag: time from the app's last line to process exit, plain vs aim in several AIM states, and
   * the peak RSS of the same runs; typical.mjs sweeps the GC phase like the startup runs do
   * (gcPhaseEnv), and the "one GC phase" cases show the same app without the sweep.
   */
  async exit (node, rounds, servers) {
    const scen = this.exitCases(node, servers)
    const out = {}
    for (const s of scen) out[s.id] = []
    for (let r = 0; r < rounds; r++) {
      const gcPhase = gcPhaseEnv(r, rounds)
      for (const s of shuffled(scen, this.rand)) {
        s.server?.reset()
        const res = await this.run(node, s.agent, s.app, { env: s.sweep ? { ...s.env, ...gcPhase } : s.env })
        if (!res) continue
        out[s.id].push({ lag: res.exitLagMs, toLine: res.markerMs, wall: res.wallMs, rss: res.rssMiB, requests: s.server ? s.server.stats.requests : null })
      }
    }
    return out
  }

  /** The cases Bench.exit runs each round on this Node version. */
  exitCases (node, servers) {
    const aim = this.agents.find((a) => a.id === 'aim')
    const plain = this.agents.find((a) => a.id === 'plain')
    const noopSync = this.agents.find((a) => a.id === 'noop-sync')
    return [
      { id: 'plain hello.mjs', agent: plain, app: 'hello.mjs', env: {} },
      { id: 'aim hello.mjs, nothing to send', agent: aim, app: 'hello.mjs', env: {} },
      { id: 'plain typical.mjs', agent: plain, app: 'typical.mjs', env: {}, sweep: true },
      { id: 'aim typical.mjs, nothing to send', agent: aim, app: 'typical.mjs', env: {}, sweep: true },
      { id: 'plain typical.mjs, one GC phase', agent: plain, app: 'typical.mjs', env: {} },
      { id: 'aim typical.mjs, nothing to send, one GC phase', agent: aim, app: 'typical.mjs', env: {} },
      { id: 'no-op sync hooks typical.mjs, one GC phase', agent: noopSync, app: 'typical.mjs', env: {} },
      { id: 'plain typical.cjs, one GC phase', agent: plain, app: 'typical.cjs', env: {} },
      { id: 'aim typical.cjs, nothing to send, one GC phase', agent: aim, app: 'typical.cjs', env: {} },
      { id: 'aim typical.mjs, AIM up', agent: aim, app: 'typical.mjs', env: aimKeyEnv(servers.up.url), server: servers.up, sweep: true },
      { id: 'aim typical.mjs, AIM slow (2 s answers)', agent: aim, app: 'typical.mjs', env: aimKeyEnv(servers.slow.url), server: servers.slow, sweep: true },
      { id: 'aim typical.mjs, AIM down', agent: aim, app: 'typical.mjs', env: aimKeyEnv(servers.down), sweep: true }
    ].filter((s) => s.agent && this.flagsFor(s.agent, s.app, node) !== null)
  }
}

export function aimKeyEnv (url) {
  // a syntactically valid, fake key: only ever sent to the local fake server (or a closed port)
  return { AIM_API_KEY: 'aim_live_benchbenchbench0000', AIM_URL: url, AIM_AGENT_ID: '00000000-0000-4000-8000-000000000001' }
}
