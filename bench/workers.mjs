#!/usr/bin/env node
/**
 * The agent's cost per worker thread start: a process starts N workers one after another (each
 * reads a file and exits), plain and with the agent preloaded by --require (Node runs the
 * preload in every worker). Reported: the median per-worker start-to-exit time of each, and
 * the difference, over paired rounds (alternating order).
 *
 *   node bench/workers.mjs [--workers 20] [--rounds 5] [--node /path/to/node]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const workers = Number(opt('workers', 20));
const rounds = Number(opt('rounds', 5));
const node = opt('node', process.execPath);

const program = `
const { Worker } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
// A real file (under -e, __filename is "[eval]"): this benchmark's own source.
const code = "require('node:fs').readFileSync(" + ${JSON.stringify(JSON.stringify(fileURLToPath(import.meta.url)))} + "); require('node:worker_threads').parentPort.postMessage(1)";
(async () => {
  const times = [];
  for (let i = 0; i < ${workers}; i++) {
    const t = performance.now();
    await new Promise((resolve) => { const w = new Worker(code, { eval: true }); w.once('exit', resolve); });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(String(times[times.length >> 1]));
})();`;

const run = (withAgent) => {
  const argv = withAgent ? ['--require', path.join(repo, 'dist/register.cjs'), '-e', program] : ['-e', program];
  const r = spawnSync(node, argv, { encoding: 'utf8', env: { ...process.env, AIM_OUTPUT: '', NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout);
};

const plain = [];
const agent = [];
for (let i = 0; i < rounds; i++) {
  if (i % 2) {
    agent.push(run(true));
    plain.push(run(false));
  } else {
    plain.push(run(false));
    agent.push(run(true));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p = median(plain);
const a = median(agent);
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
process.stdout.write(
  `worker start-to-exit on ${version}, ${workers} workers x ${rounds} rounds: plain ${p.toFixed(2)} ms, with the agent ${a.toFixed(2)} ms, ` +
    `+${(a - p).toFixed(2)} ms per worker (${((a / p - 1) * 100).toFixed(0)}%)\n`,
);
