#!/usr/bin/env node
// node bench/instructions.mjs [--hot] [--aim DIR] [--aim-alt DIR] [node binaries...]: how many CPU
// instructions a hello world costs, plain and under aim, counted by valgrind's callgrind; with --hot,
// how many one hot fs call costs, through the app's binding and through the original function.
// Wall-clock startup on a shared machine moves by 10-25 % from one hour to the next; instruction
// counts with V8's --predictable (one thread, no concurrent compiling or marking) and address
// randomisation off (setarch -R) repeat to a few thousand in 100 million, so a 0.5 % change of the
// agent is visible in one run. Instructions are not time (cache misses, page faults and syscalls
// weigh differently), so this complements `npm run bench`, it does not replace it. Needs valgrind
// and setarch (Linux).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hasSyncHooks } from './lib/nodes.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const hot = args.includes('--hot')
if (hot) args.splice(args.indexOf('--hot'), 1)
const option = (name) => {
  const at = args.indexOf(name)
  return at >= 0 ? resolve(args.splice(at, 2)[1]) : undefined
}
const dist = option('--aim') ?? join(here, '..', 'dist')
const alt = option('--aim-alt')
const nodes = args.length ? args : [process.execPath]

/** The rows: what is preloaded. `cjsOnly` rows need a CommonJS app (--require). */
const rows = [
  { name: 'plain node', flags: [] },
  { name: 'empty --import', flags: ['--import', join(here, 'preloads', 'empty.mjs')] },
  { name: 'aim (--import)', flags: ['--import', join(dist, 'register.mjs')] },
  { name: 'aim (--require)', flags: ['--require', join(dist, 'register.cjs')], cjsOnly: true },
  ...(alt ? [{ name: 'alt build (--import)', flags: ['--import', join(alt, 'register.mjs')] }] : []),
]
/** With --hot: what any sync-hook preload pays, as a control (on Nodes with sync module hooks only). */
const noopSyncHooks = { name: 'no-op sync hooks', flags: ['--import', join(here, 'preloads', 'noop-sync.mjs')] }
const apps = ['hello.cjs', 'hello.mjs']

// A private cache directory: aim's code cache is made by the first (uncounted) run of each row and
// read by the counted one, as in any process after the first. Same V8 flags in both, or V8 rejects it.
const cache = mkdtempSync(join(tmpdir(), 'aim-instructions-'))
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AIM_|NODE_OPTIONS$)/.test(k)))
env.XDG_CACHE_HOME = cache

function run (command, argv, extraEnv = {}) {
  const res = spawnSync(command, argv, { encoding: 'utf8', env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] })
  if (res.status !== 0) throw new Error(`${command} ${argv.join(' ')}: exit ${res.status}\n${res.stderr}`)
  return res.stderr
}

function instructions (node, flags, app, extraEnv, { warm = true } = {}) {
  const argv = [node, '--predictable', ...flags, join(here, 'apps', app)]
  if (warm) run(node, argv.slice(1), extraEnv)
  const stderr = run('setarch', ['-R', 'valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null', ...argv], extraEnv)
  const collected = /Collected : (\d+)/.exec(stderr)
  if (!collected) throw new Error(`no instruction count from callgrind:\n${stderr}`)
  return Number(collected[1])
}

const millions = (n) => (n / 1e6).toFixed(2)

function startupTable () {
  console.log(`| Node | row | ${apps.map((a) => `${a}: M instructions (added)`).join(' | ')} |`)
  console.log(`| --- | --- | ${apps.map(() => '---:').join(' | ')} |`)
  for (const node of nodes) {
    const version = versionOf(node)
    const plain = {}
    for (const row of rows) {
      const cells = apps.map((app) => {
        if (row.cjsOnly && !app.endsWith('.cjs')) return ''
        const count = instructions(node, row.flags, app)
        plain[app] ??= count
        return row === rows[0] ? millions(count) : `${millions(count)} (+${millions(count - plain[app])})`
      })
      console.log(`| ${version} | ${row.name} | ${cells.join(' | ')} |`)
    }
  }
}

// Calls per counted run: enough that the division leaves no rounding worth a column.
const HOT_CALLS = 100000

/** Instructions per call of fs.existsSync and fs.statSync, through the app's binding and the kept original. */
function hotTable () {
  const apis = ['existsSync', 'statSync']
  console.log(`| Node | row | ${apis.map((a) => `${a}: app / original (app − original)`).join(' | ')} |`)
  console.log(`| --- | --- | ${apis.map(() => '---:').join(' | ')} |`)
  for (const node of nodes) {
    const version = versionOf(node)
    for (const row of [...rows.slice(0, 2), ...(hasSyncHooks(version.slice(1)) ? [noopSyncHooks] : []), ...rows.slice(2)]) {
      const flags = ['--require', join(here, 'preloads', 'pristine.cjs'), ...row.flags]
      const cells = apis.map((api) => {
        // The same warm-up as the counted runs (it differs by API), and no calls after it.
        const base = instructions(node, flags, 'hotfs-count.cjs', { HOT_N: '0', HOT_API: api })
        const perCall = (via) => Math.round((instructions(node, flags, 'hotfs-count.cjs', { HOT_N: String(HOT_CALLS), HOT_API: api, HOT_VIA: via }, { warm: false }) - base) / HOT_CALLS)
        const app = perCall('app')
        const original = perCall('original')
        return `${app} / ${original} (${app - original >= 0 ? '+' : ''}${app - original})`
      })
      console.log(`| ${version} | ${row.name} | ${cells.join(' | ')} |`)
    }
  }
}

const versionOf = (node) => spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()

try {
  if (hot) hotTable()
  else startupTable()
} finally {
  rmSync(cache, { recursive: true, force: true })
}
