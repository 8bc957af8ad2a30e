#!/usr/bin/env node
// npm run bench [-- options]: what the aim preload costs next to plain node and other preload agents.
// Method and options: bench/README.md. Progress goes to stderr; the table to stdout (or JSON with --json).
import { spawnSync, execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, statSync, readdirSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findNodes, cmpVersion } from './lib/nodes.mjs'
import { AGENTS, aimDistOk } from './lib/agents.mjs'
import { Bench } from './lib/measure.mjs'
import { startupRounds } from './lib/gc-phase.mjs'
import { analyzeNode, budget } from './lib/analyze.mjs'
import { terminalReport, markdownReport, svgChart } from './lib/output.mjs'
import { startFakeAim, closedPort } from './lib/fake-aim.mjs'
import { prng } from './lib/stats.mjs'

const benchDir = dirname(fileURLToPath(import.meta.url))
const repoDir = resolve(benchDir, '..')
const PHASES = ['startup', 'modules', 'hot', 'memory', 'exit']

function usage () {
  return `usage: npm run bench -- [options]
  --quick              < 3 min: 3 rounds, 1e5 hot calls, current Node only (unless --node)
  --node LIST          current | all | 20,22,24 | 22.14.0 | /path/to/node (default: all; quick: current)
  --rounds N           paired rounds per figure (default 8; quick 3)
  --agents LIST        plain,empty,noop-sync,aim,aim-require,aim-alt,min,otel,dd,sentry
                       (default: all; quick: without the controls 'empty' and 'noop-sync')
  --only LIST          phases: ${PHASES.join(',')} (default: all); with --merge, --only none re-renders
  --aim DIR            aim's built dist/ (default: <repo>/dist; built with tsup if missing)
  --aim-alt DIR        a second aim build measured side by side (row 'aim-alt'), e.g. a candidate fix
  --hot-n N            calls per variant per process in the hot-path A/B (default 4e5 × 3 processes; quick 1e5 × 1)
  --json               print the results as JSON on stdout (the table then goes to stderr)
  --out DIR            where <date>.md/.svg/.json go (default bench/results); --no-write to skip
  --merge FILE.json    start from an earlier results JSON and replace only the phases measured now
  --seed N             shuffle seed (default: time-based)
  --no-install         never install Node versions or bench dependencies
Env: AIM_BENCH_NODES=/path/node:/path/node (extra binaries), AIM_BENCH_NODE_CACHE (default ~/.cache/aim-node).`
}

function parseArgs (argv) {
  const o = { quick: false, json: false, write: true, install: true, only: PHASES }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]; const next = () => argv[++i]
    if (a === '--quick') o.quick = true
    else if (a === '--json') o.json = true
    else if (a === '--node') o.node = next()
    else if (a === '--rounds') o.rounds = Number(next())
    else if (a === '--agents') o.agents = next().split(',')
    else if (a === '--only') o.only = next().split(',')
    else if (a === '--aim') o.aim = resolve(next())
    else if (a === '--aim-alt') o.aimAlt = resolve(next())
    else if (a === '--hot-n') o.hotN = Number(next())
    else if (a === '--out') o.out = resolve(next())
    else if (a === '--no-write') o.write = false
    else if (a === '--merge') o.merge = resolve(next())
    else if (a === '--seed') o.seed = Number(next())
    else if (a === '--no-install') o.install = false
    else if (a === '-h' || a === '--help') { console.log(usage()); process.exit(0) } else { console.error(`unknown option ${a}\n${usage()}`); process.exit(2) }
  }
  o.node ??= o.quick ? 'current' : 'all'
  o.rounds ??= o.quick ? 3 : 8
  o.hotN ??= o.quick ? 1e5 : 4e5
  // several processes per agent: one process's code layout can bias A against B by a few % even when
  // both call the very same function; the median over batches pooled from 3 processes does not
  o.hotRounds = o.quick ? 1 : 3
  o.hotBatches = o.quick ? 20 : 40
  o.memRounds = o.quick ? 2 : Math.max(3, Math.ceil(o.rounds / 2))
  o.agents ??= AGENTS.map((a) => a.id).filter((id) => !(o.quick && id === 'empty') && !(o.quick && id === 'noop-sync') && (id !== 'aim-alt' || o.aimAlt))
  if (!o.agents.includes('plain')) o.agents.unshift('plain')
  o.seed ??= Date.now() % 1e9
  return o
}

const log = (msg) => process.stderr.write(`${progress.active ? '\r\x1b[K' : ''}${msg}\n`)

const progress = {
  total: 1, done: 0, t0: 0, active: false, lastPrint: 0,
  start (total) { this.total = total; this.done = 0; this.t0 = Date.now() },
  tick (what) {
    this.done++
    const tty = process.stderr.isTTY
    const now = Date.now()
    if (!tty && now - this.lastPrint < 15000 && this.done < this.total) return
    this.lastPrint = now
    const el = (now - this.t0) / 1000
    const eta = this.done ? (el / this.done) * Math.max(0, this.total - this.done) : 0
    const pct = Math.min(100, (100 * this.done) / this.total).toFixed(0).padStart(3)
    const line = `[${pct}%] ${this.done}/${this.total} runs · ${fmtS(el)} elapsed · ~${fmtS(eta)} left · ${what}`
    if (tty) { process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 120) - 1)}`); this.active = true } else process.stderr.write(`${line}\n`)
  },
  end () { if (this.active) process.stderr.write('\r\x1b[K'); this.active = false }
}
const fmtS = (s) => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`)

function ensureDeps (o) {
  const need = Object.keys(JSON.parse(readFileSync(join(benchDir, 'package.json'), 'utf8')).dependencies)
  const missing = need.filter((d) => !existsSync(join(benchDir, 'node_modules', d, 'package.json')))
  if (!missing.length) return
  if (!o.install) throw new Error(`bench dependencies missing (${missing.join(', ')}); run: npm ci --prefix bench`)
  const lock = existsSync(join(benchDir, 'package-lock.json'))
  log(`installing bench dependencies (${missing.length} missing): npm ${lock ? 'ci' : 'install'} --prefix bench`)
  const r = spawnSync('npm', [lock ? 'ci' : 'install', '--no-audit', '--no-fund', '--prefix', benchDir], { stdio: ['ignore', 'inherit', 'inherit'] })
  if (r.status !== 0) throw new Error('npm install in bench/ failed')
}

function newestMtime (dir) {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return t
}

function ensureAim (o) {
  const dist = o.aim || join(repoDir, 'dist')
  if (!o.aim && !aimDistOk(dist) && existsSync(join(repoDir, 'node_modules', '.bin', 'tsup')) && existsSync(join(repoDir, 'src'))) {
    log('dist/ missing: building aim with tsup')
    spawnSync(join(repoDir, 'node_modules', '.bin', 'tsup'), [], { cwd: repoDir, stdio: ['ignore', 'ignore', 'inherit'] })
  }
  if (!aimDistOk(dist)) { log(`aim not built (${dist}/register.{mjs,cjs} missing): aim rows skipped. Run npm run build.`); return null }
  if (!o.aim && existsSync(join(repoDir, 'src')) && newestMtime(join(repoDir, 'src')) > statSync(join(dist, 'register.mjs')).mtimeMs) {
    log('warning: src/ is newer than dist/; run npm run build to bench the current code')
  }
  if (o.aim) return dist
  // Bench a snapshot, so a rebuild of dist/ during the run cannot break or mix the measurements.
  // Under bench/, its externals (require-in-the-middle, import-in-the-middle) resolve from bench/node_modules.
  const snap = join(benchDir, '.work', 'aim-dist')
  rmSync(snap, { recursive: true, force: true })
  cpSync(dist, snap, { recursive: true })
  if (!aimDistOk(snap)) throw new Error(`copying ${dist} to ${snap} failed`)
  return snap
}

function ensureGenerated (n = 1000) {
  const dir = join(benchDir, '.work', 'gen')
  if (existsSync(join(dir, 'esm', 'index.mjs')) && existsSync(join(dir, 'cjs', `m${String(n - 1).padStart(4, '0')}.cjs`))) return
  mkdirSync(join(dir, 'cjs'), { recursive: true })
  mkdirSync(join(dir, 'esm'), { recursive: true })
  const pad = (i) => String(i).padStart(4, '0')
  const imports = []; const sum = []
  for (let i = 0; i < n; i++) {
    writeFileSync(join(dir, 'cjs', `m${pad(i)}.cjs`), `'use strict'\nexports.id = ${i}\nexports.f = function f (x) { return x + ${i} }\n`)
    writeFileSync(join(dir, 'esm', `m${pad(i)}.mjs`), `export const id = ${i}\nexport function f (x) { return x + ${i} }\n`)
    imports.push(`import { f as f${i} } from './m${pad(i)}.mjs'`)
    sum.push(`f${i}(0)`)
  }
  writeFileSync(join(dir, 'esm', 'index.mjs'), `${imports.join('\n')}\nexport const n = ${n}\nexport const s = ${sum.join(' + ')}\n`)
}

function gitCommit (dir) {
  try { return execFileSync('git', ['-C', dir, 'log', '-1', '--format=%h %cI'], { encoding: 'utf8' }).trim() } catch { return null }
}

async function main () {
  const o = parseArgs(process.argv.slice(2))
  const t0 = Date.now()
  ensureDeps(o)
  const aimDist = o.agents.some((a) => a.startsWith('aim')) ? ensureAim(o) : null
  const aimCommit = aimDist ? `${o.aim ? `${o.aim}, ` : ''}HEAD ${gitCommit(repoDir)} at start, dist built ${statSync(join(aimDist, 'agent.cjs')).mtime.toISOString().slice(0, 19)}Z` : null
  ensureGenerated()
  const nodes = findNodes(o.node, { allowInstall: o.install, log })
  if (!nodes.length) throw new Error('no Node binary to measure')
  log(`Node: ${nodes.map((n) => `${n.version}${n.sync ? ' (sync hooks)' : ''}`).join(', ')} · agents: ${o.agents.join(', ')} · ${o.rounds} rounds · seed ${o.seed}`)

  const rand = prng(o.seed)
  if (o.aimAlt && !aimDistOk(o.aimAlt)) throw new Error(`--aim-alt ${o.aimAlt}: register.{mjs,cjs} missing`)
  const bench = new Bench({ benchDir, aimDist, aimAlt: o.aimAlt, agents: o.agents, rand, progress, quick: o.quick })
  const servers = { up: await startFakeAim(), slow: await startFakeAim({ delayMs: 2000 }), down: await closedPort() }
  const waitMs = 2000

  // run-count estimate for the progress line
  let total = 0
  for (const node of nodes) {
    const n = (app, empty = true) => bench.agentsFor(app, node, { withEmpty: empty }).length
    if (o.only.includes('startup')) total += 2 * ['hello.cjs', 'hello.mjs', 'typical.cjs', 'typical.mjs'].reduce((t, a) => t + startupRounds(a, o.rounds) * n(a), 0)
    if (o.only.includes('modules')) total += o.rounds * 2 * (n('loadmany.cjs', false) + n('loadmany.mjs', false))
    if (o.only.includes('hot')) total += o.hotRounds * (2 + n('hotfs.cjs', false) + n('hotfs.mjs', false))
    if (o.only.includes('memory') && aimDist) total += o.memRounds * 2
    if (o.only.includes('exit') && aimDist) total += o.rounds * bench.exitCases(node, servers).length
  }
  progress.start(total)

  const raws = []
  for (const node of nodes) {
    const raw = { node, seconds: {} }
    const phase = async (name, fn) => { const t = Date.now(); raw[name] = await fn(); raw.seconds[name] = Math.round((Date.now() - t) / 1000) }
    if (o.only.includes('startup')) await phase('startup', () => bench.startup(node, ['hello.cjs', 'hello.mjs', 'typical.cjs', 'typical.mjs'], o.rounds))
    if (o.only.includes('modules')) await phase('modules', () => bench.modules(node, o.rounds))
    if (o.only.includes('hot')) await phase('hot', () => bench.hot(node, o.hotRounds, { HOT_N: String(o.hotN), HOT_BATCHES: String(o.hotBatches) }))
    if (o.only.includes('memory') && aimDist) await phase('reporter', () => bench.reporter(node, o.memRounds, servers.up, waitMs))
    if (o.only.includes('exit') && aimDist) await phase('exit', () => bench.exit(node, o.rounds, servers))
    raws.push(raw)
  }
  progress.end()
  await servers.up.close(); await servers.slow.close()
  let mergedFrom = null
  if (o.merge) {
    const old = JSON.parse(readFileSync(o.merge, 'utf8'))
    mergedFrom = { file: o.merge, meta: old.meta }
    for (const prev of old.raw) {
      const now = raws.find((r) => r.node.version === prev.node.version)
      if (!now) { raws.push(prev); continue }
      for (const [k, v] of Object.entries(prev)) if (!(k in now)) now[k] = v
    }
    raws.sort((a, b) => cmpVersion(a.node.version, b.node.version))
  }

  const summaries = raws.map(analyzeNode)
  const date = new Date().toISOString().slice(0, 10)
  const meta = {
    date,
    mode: o.quick ? 'quick' : 'full',
    rounds: o.rounds,
    hotRounds: o.hotRounds,
    hotN: o.hotN,
    seed: o.seed,
    machine: `${cpus().length} × ${cpus()[0]?.model?.trim() || 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end, ${process.platform}-${process.arch}`,
    aimCommit,
    tookMin: ((Date.now() - t0) / 60000).toFixed(1),
    phases: o.only.join(','),
    failures: bench.failures,
    mergedFrom: mergedFrom ? `${mergedFrom.meta.date} ${mergedFrom.meta.mode} run (aim ${mergedFrom.meta.aimCommit}, ${mergedFrom.meta.rounds} rounds) for the phases not measured now` : null
  }
  const text = terminalReport(summaries, meta)
  if (o.json) {
    process.stderr.write(`${text}\n`)
    process.stdout.write(`${JSON.stringify({ meta, results: summaries.map((s) => ({ ...s, budget: budget(s) })), raw: raws }, null, 1)}\n`)
  } else process.stdout.write(`${text}\n`)

  if (o.write) {
    const outDir = o.out || join(benchDir, 'results')
    mkdirSync(outDir, { recursive: true })
    const base = `${date}${o.quick ? '-quick' : ''}`
    const svg = svgChart(summaries, meta)
    if (svg) writeFileSync(join(outDir, `${base}.svg`), `${svg}\n`)
    writeFileSync(join(outDir, `${base}.md`), `${markdownReport(summaries, meta, svg ? `${base}.svg` : null)}\n`)
    writeFileSync(join(outDir, `${base}.json`), `${JSON.stringify({ meta, results: summaries, raw: raws })}\n`)
    log(`wrote ${join(outDir, base)}.{md,svg,json}`)
  }
}

main().catch((e) => { progress.end(); console.error(`bench failed: ${e.stack || e}`); process.exit(1) })
