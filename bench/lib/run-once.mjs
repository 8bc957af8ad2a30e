// One child process, timed from spawn to exit, with its peak RSS (GNU time's %M when /usr/bin/time
// exists) and the moment its stdout first showed a marker line (for exit lag).
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const TIME = '/usr/bin/time'
export const haveGnuTime = existsSync(TIME)
const tmp = mkdtempSync(join(tmpdir(), 'aim-bench-'))
let seq = 0
process.on('exit', () => { try { rmSync(tmp, { recursive: true, force: true }) } catch {} })

/**
 * @param {{node:string, flags:string[], app:string, env:object, cwd:string, marker?:RegExp, timeoutMs?:number}} o
 * @returns {Promise<{wallMs:number, rssMiB:number|null, code:number|null, signal:string|null, stdout:string, stderr:string, markerMs:number|null, exitLagMs:number|null}>}
 */
export function runOnce ({ node, flags, app, env, cwd, marker, timeoutMs = 120000 }) {
  return new Promise((resolve) => {
    const rssFile = join(tmp, `rss-${seq++}`)
    const argv = [...flags, app]
    const [cmd, args] = haveGnuTime ? [TIME, ['-f', '%M', '-o', rssFile, '--', node, ...argv]] : [node, argv]
    let stdout = ''; let stderr = ''; let markerAt = null
    const t0 = performance.now()
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (d) => {
      stdout += d
      if (marker && markerAt === null && marker.test(stdout)) markerAt = performance.now()
    })
    child.stderr.on('data', (d) => { if (stderr.length < 65536) stderr += d })
    let exitAt = null
    child.on('exit', () => { exitAt = performance.now() })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const end = exitAt ?? performance.now()
      let rssMiB = null
      if (haveGnuTime) {
        try {
          const lines = readFileSync(rssFile, 'utf8').trim().split('\n')
          const kb = Number(lines[lines.length - 1])
          if (Number.isFinite(kb)) rssMiB = kb / 1024
          // GNU time prints "Command exited with non-zero status N" before the figure
          const m = /exited with non-zero status (\d+)/.exec(lines.join('\n'))
          if (m) code = Number(m[1])
          rmSync(rssFile, { force: true })
        } catch {}
      }
      resolve({
        wallMs: end - t0,
        rssMiB,
        code,
        signal,
        stdout,
        stderr,
        markerMs: markerAt === null ? null : markerAt - t0,
        exitLagMs: markerAt === null ? null : end - markerAt
      })
    })
  })
}
