#!/usr/bin/env node
// Where an agent's startup time goes. Two views, both against plain node:
//  1. what it loads before the app runs (process.moduleLoadList diff: Node internals and builtins, plus
//     the CJS files in require.cache), and
//  2. a --cpu-prof of the app under the agent, self time summed per script and per function.
// usage: node bench/profile.mjs [--node BIN] [--app hello.mjs] [--agent aim|aim-require|aim-alt|min|otel|dd|sentry] [--aim DIR] [--aim-alt DIR] [--env K=V]... [--top N]
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AGENTS } from './lib/agents.mjs'
import { cleanEnv } from './lib/measure.mjs'

const benchDir = dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const opt = { node: process.execPath, app: 'hello.mjs', agent: 'aim', aim: resolve(benchDir, '..', 'dist'), top: 25, env: {} }
for (let i = 0; i < args.length; i++) {
  const k = args[i].replace(/^--/, ''); const v = args[++i]
  if (k === 'env') { const [a, ...b] = v.split('='); opt.env[a] = b.join('=') } else opt[k] = k === 'top' ? Number(v) : v
}
const agent = AGENTS.find((a) => a.id === opt.agent)
if (!agent) throw new Error(`unknown agent ${opt.agent}`)
const flags = (app) => agent.flags(app, { benchDir, aimDist: resolve(opt.aim), aimAlt: opt['aim-alt'] && resolve(opt['aim-alt']) }) || []
const env = cleanEnv({ ...(agent.env || {}), ...opt.env })
const run = (f, app, extra = []) => spawnSync(opt.node, [...extra, ...f, join('apps', app)], { cwd: benchDir, env, encoding: 'utf8', maxBuffer: 256 << 20 })

// 1. loaded before the app
const parse = (r) => JSON.parse(/^modlist (.*)$/m.exec(r.stdout)[1])
const modApp = opt.app.endsWith('.cjs') ? 'modlist.cjs' : 'modlist.mjs'
const plain = parse(run([], modApp))
const withAgent = parse(run(flags(modApp), modApp))
const extraBuiltins = withAgent.builtins.filter((m) => !plain.builtins.includes(m))
const builtinsOnly = extraBuiltins.filter((m) => m.startsWith('NativeModule ') && !m.startsWith('NativeModule internal/')).map((m) => m.slice(13))
const extraCjs = withAgent.cjs.filter((m) => !plain.cjs.includes(m))
console.log(`# ${opt.agent} on Node ${spawnSync(opt.node, ['-v'], { encoding: 'utf8' }).stdout.trim()}: loaded before the app's first line`)
console.log(`Node internals and builtins: +${extraBuiltins.length} (plain: ${plain.builtins.length}); public builtins: ${builtinsOnly.join(' ') || 'none'}`)
console.log(`CJS files in require.cache: +${extraCjs.length}${extraCjs.length ? `\n  ${extraCjs.slice(0, 40).map((p) => p.replace(/.*node_modules\//, '')).join('\n  ')}` : ''}`)
console.log(`internal modules: ${extraBuiltins.filter((m) => m.includes('internal/')).map((m) => m.replace(/^NativeModule /, '')).join(' ')}`)

// 2. CPU profile of the real app
const dir = join(benchDir, '.work', 'prof')
rmSync(dir, { recursive: true, force: true }); mkdirSync(dir, { recursive: true })
const r = run(flags(opt.app), opt.app, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100'])
if (r.status !== 0) console.log(`app exited ${r.status}: ${r.stderr.slice(0, 500)}`)
const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
for (const f of files) {
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8'))
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map()
  const dt = p.timeDeltas
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) || 0) + (dt[i] || 0))
  const perUrl = new Map(); const perFn = new Map()
  let total = 0
  for (const [id, us] of self) {
    const n = byId.get(id); const cf = n.callFrame
    total += us
    const url = cf.url ? cf.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm:') : `(${cf.functionName || 'native'})`
    perUrl.set(url, (perUrl.get(url) || 0) + us)
    const fn = `${cf.functionName || '(anon)'} ${url}:${cf.lineNumber + 1}`
    perFn.set(fn, (perFn.get(fn) || 0) + us)
  }
  const top = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, opt.top).map(([k, v]) => `${(v / 1000).toFixed(1).padStart(7)} ms  ${k}`).join('\n')
  console.log(`\n# CPU profile ${f} (${(total / 1000).toFixed(0)} ms sampled): self time per script\n${top(perUrl)}\n\n# self time per function\n${top(perFn)}`)
}
console.log(`\nprofiles kept in ${dir} (open in Chrome DevTools)`)
