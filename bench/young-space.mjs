#!/usr/bin/env node
// node bench/young-space.mjs [--aim DIR] [node binaries...]: how much of V8's new space a hello world
// finds used at its first line, plain and under aim (--import, code cache warm), and whether a
// scavenge runs before its exit. Allocation is deterministic, so one run per cell is enough; not
// --trace-gc, which changes V8's flags and so makes the agent's code cache be rejected and rewritten.
import { spawnSync } from 'node:child_process'
import { openSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const at = args.indexOf('--aim')
const dist = at >= 0 ? resolve(args.splice(at, 2)[1]) : join(here, '..', 'dist')
const nodes = args.length ? args : [process.execPath]
const app = join(here, 'apps', 'young-space.cjs')

// stdout to a pipe (as the bench and most supervisors have it: Node then builds a stream for it) or to /dev/null (a file)
const devNull = openSync('/dev/null', 'w')
function measure (node, flags, stdout) {
  const res = spawnSync(node, [...flags, app], { encoding: 'utf8', stdio: ['ignore', stdout === 'pipe' ? 'pipe' : devNull, 'pipe'] })
  const line = /^young-space (.*)$/m.exec(res.stderr)
  if (!line) throw new Error(`${node} ${flags.join(' ')}: ${res.stderr}`)
  return JSON.parse(line[1])
}

const cell = ({ first, exit }) => `${first} KiB${exit < first ? ', scavenged' : ''}`
console.log('| Node | plain, stdout a pipe | aim, stdout a pipe | plain, stdout a file | aim, stdout a file |\n| --- | ---: | ---: | ---: | ---: |')
for (const node of nodes) {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()
  const flags = ['--import', join(dist, 'register.mjs')]
  measure(node, flags, 'pipe') // makes the code cache, if there is none yet
  const cells = ['pipe', 'file'].flatMap((stdout) => [measure(node, [], stdout), measure(node, flags, stdout)].map(cell))
  console.log(`| ${version} | ${cells.join(' | ')} |`)
}
