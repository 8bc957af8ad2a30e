#!/usr/bin/env node
/**
 * The corpus: real programs, each a real package used the way its docs show, each with the
 * inventory it should get, written from what the program really does (checked with `strace -f`
 * where in doubt), never from what aim reports. Each runs plain and under the agent
 * (NODE_OPTIONS=--require dist/register.cjs, as `aim run` sets it); output and exit code must be
 * the same, and the agent's inventory is scored against the expected one:
 *
 *   recall    = expected items reported / expected items
 *   precision = expected items reported / items reported
 *
 * An item is a capability used (`db:write`), or `worker:<capability>` for one a worker thread
 * used. Loaded-only, probe and hint evidence are not use and are not items.
 *
 *   node compat/corpus.mjs [--only pg-query,qdrant] [--node /path/to/node] [--json FILE]
 *
 * Needs: compat/node_modules (npm ci here, done on the first run), PostgreSQL and Redis (started
 * here on loopback; apt-get installs them when missing and we are root), Chromium and
 * chromedriver for the browser programs (/usr/bin/chromium; skipped with a note when missing).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRunnerArgs } from './args.mjs';
import { startFakeApis } from './fake-apis.mjs';
import { startPostgres, startRedis } from './servers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((f) => fs.existsSync(f));
const CHROMEDRIVER = ['/usr/bin/chromedriver'].find((f) => fs.existsSync(f));

const llmCall = ['network:connect', 'api:call', 'ai:model_call'];
const vectorStore = ['network:connect', 'api:call', 'db:read', 'db:write'];

/**
 * `expect`: the items the program really produces. `needs`: servers to start. `env(s)`: its
 * environment from the started servers. `kill`: SIGTERM it once it prints this line (it would
 * otherwise run forever). `class`: which defect class of issue 14 (or precision) it covers.
 */
export const CORPUS = [
  { name: 'pg-query', class: 'sockets, databases', needs: ['postgres'], expect: ['network:connect', 'db:read', 'db:write'] },
  { name: 'pg-pool-read', file: 'pg-pool-read.cjs', class: 'databases: read only', needs: ['postgres'], expect: ['network:connect', 'db:read'] },
  { name: 'pg-refused', class: 'sockets: a refused attempt', needs: ['closed'], expect: ['network:connect'] },
  // ioredis reads its own package.json for its client name (strace: openat .../ioredis/package.json).
  { name: 'ioredis-read', class: 'databases: read only', needs: ['redis'], expect: ['network:connect', 'db:read', 'file:read'] },
  { name: 'port-probe', file: 'port-probe.cjs', class: 'precision: a database port is a hint', expect: ['network:connect'] },
  { name: 'esbuild-transform', class: 'library spawns (ESM)', expect: ['system:exec'] },
  { name: 'esbuild-transform-cjs', file: 'esbuild-transform.cjs', class: 'library spawns (CJS)', expect: ['system:exec'] },
  { name: 'cross-spawn', file: 'cross-spawn.cjs', class: 'probes: PATH lookup', expect: ['system:exec'] },
  { name: 'probes-only', class: 'precision: probes only', expect: [] },
  { name: 'imports-only', class: 'precision: imports never called', expect: [] },
  { name: 'listen-only', class: 'precision: a server that only listens', expect: ['network:listen'] },
  { name: 'mocha-check-leaks', class: 'globals: mocha --check-leaks, reporter loaded', bin: 'node_modules/mocha/bin/mocha.js', args: ['--check-leaks', '--reporter', 'tap', 'corpus/mocha-suite/notes.test.cjs'], reporter: true, expect: ['file:read'] },
  // The main thread reads nothing; its workers do.
  { name: 'piscina-pool', class: 'workers', expect: ['worker:file:read'] },
  { name: 'worker-exec', file: 'worker-exec.cjs', class: 'workers', expect: ['worker:system:exec'] },
  { name: 'killed-after-work', class: 'killed right after working', kill: 'ready', expect: ['file:write', 'system:exec'] },
  { name: 'ai-sdk', class: 'breadth: Vercel AI SDK', needs: ['fake'], expect: llmCall },
  { name: 'langchain', class: 'breadth: LangChain', needs: ['fake'], expect: llmCall },
  { name: 'llamaindex', class: 'breadth: LlamaIndex.TS', needs: ['fake'], expect: llmCall },
  { name: 'openai-agents', class: 'breadth: OpenAI Agents SDK', needs: ['fake'], expect: llmCall },
  { name: 'google-genai', class: 'breadth: Google GenAI', needs: ['fake'], expect: llmCall },
  // The AWS SDK opens ~/.aws/credentials and ~/.aws/config to read them (strace: openat, ENOENT here).
  { name: 'bedrock', class: 'breadth: Bedrock runtime (HTTP/2)', needs: ['fake'], expect: [...llmCall, 'file:read'] },
  { name: 'ollama', class: 'breadth: Ollama', needs: ['fake'], expect: llmCall },
  { name: 's3-put', class: 'breadth: @aws-sdk/client-s3', needs: ['fake'], expect: ['network:connect', 'api:call', 'file:read'] },
  { name: 'qdrant', class: 'breadth: Qdrant', needs: ['fake'], expect: vectorStore },
  { name: 'pinecone', class: 'breadth: Pinecone', needs: ['fake'], expect: vectorStore },
  { name: 'chroma', class: 'breadth: Chroma', needs: ['fake'], expect: vectorStore },
  // weaviate-client v3 over REST: insert (POST /v1/objects) writes, exists (HEAD) reads.
  { name: 'weaviate', class: 'breadth: Weaviate', needs: ['fake'], expect: vectorStore },
  // @mastra/core reads files of its own at startup (fs.readFileSync from its dist/).
  { name: 'mastra', class: 'breadth: Mastra', needs: ['fake'], expect: [...llmCall, 'file:read'] },
  { name: 'nodemailer', class: 'breadth: nodemailer (SMTP)', needs: ['fake'], expect: ['network:connect'] },
  // Browsers: the temporary profile directory is made and removed by the library (strace: mkdtemp, rm).
  // puppeteer talks CDP over a WebSocket: an HTTP GET with Upgrade to the browser, then frames.
  { name: 'puppeteer', class: 'breadth: puppeteer', needs: ['chromium'], expect: ['system:exec', 'network:connect', 'api:call', 'file:write', 'file:delete'] },
  // playwright-core reads /etc/os-release to know the host (strace: openat /etc/os-release).
  { name: 'playwright', class: 'breadth: playwright (pipe, no socket)', needs: ['chromium'], expect: ['system:exec', 'file:read', 'file:write', 'file:delete'] },
  { name: 'selenium', class: 'breadth: selenium-webdriver', needs: ['chromium', 'chromedriver'], expect: ['system:exec', 'network:connect', 'network:listen', 'api:call'] },
];

function fileOf(entry) {
  if (entry.file) return entry.file;
  for (const ext of ['.mjs', '.cjs']) if (fs.existsSync(path.join(here, 'corpus', entry.name + ext))) return entry.name + ext;
  throw new Error(`no program file for ${entry.name}`);
}

function ensureDeps() {
  if (fs.existsSync(path.join(here, 'node_modules', '.package-lock.json'))) return;
  process.stderr.write('corpus: installing compat/ dependencies (npm ci)\n');
  const r = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci failed in compat/');
}

async function startServers(needed) {
  const servers = { stops: [] };
  const want = new Set(needed);
  if (want.has('postgres')) {
    servers.postgres = await startPostgres();
    servers.stops.push(servers.postgres.stop);
  }
  if (want.has('redis')) {
    servers.redis = await startRedis();
    servers.stops.push(servers.redis.stop);
  }
  if (want.has('fake')) {
    servers.fake = await startFakeApis();
    servers.stops.push(servers.fake.stop);
  }
  return servers;
}

function envFor(servers) {
  return {
    DATABASE_URL: servers.postgres?.url,
    REDIS_URL: servers.redis?.url,
    FAKE_API: servers.fake?.url,
    FAKE_H2_API: servers.fake?.h2url,
    SMTP_PORT: servers.fake ? String(servers.fake.smtpPort) : undefined,
    CLOSED_PORT: '9', // discard: nothing listens there on loopback
    CHROMIUM,
    CHROMEDRIVER,
  };
}

function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AIM_') && k !== 'NODE_OPTIONS') env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

function run(entry, mode, opts, serverEnv) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'aim-corpus-'));
  const extra = { ...serverEnv };
  if (mode === 'agent') {
    extra.NODE_OPTIONS = `--require ${opts.register}`;
    extra.AIM_OUTPUT = out;
  }
  // A reporter with an AIM that answers nothing (port 9): zod and the client load in the app.
  if (entry.reporter) Object.assign(extra, { AIM_API_KEY: 'aim_corpus_key', AIM_URL: 'http://127.0.0.1:9', AIM_LOG_LEVEL: 'silent' });
  const argv = entry.bin ? [path.join(here, entry.bin), ...entry.args] : [path.join('corpus', fileOf(entry))];
  return new Promise((resolve) => {
    const child = spawn(opts.node, argv, { cwd: here, env: cleanEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      if (entry.kill && stdout.includes(`${entry.kill}\n`)) setTimeout(() => child.kill('SIGTERM'), opts.killAfterMs);
    });
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const inventories = fs.readdirSync(out).filter((f) => /^\d+\.json$/.test(f)).map((f) => JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')));
      fs.rmSync(out, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, inventories });
    });
  });
}

/** The items an agent run reported: capabilities used, in any process of the tree but launchers. */
export function itemsOf(inventories) {
  const items = new Set();
  for (const inventory of inventories) {
    if (inventory.process.launcher) continue;
    for (const c of inventory.capabilities) {
      const used = c.evidence.filter((e) => e.strength === 'used');
      if (used.some((e) => !e.worker)) items.add(c.id);
      if (used.some((e) => e.worker)) items.add(`worker:${c.id}`);
    }
  }
  return items;
}

export function score(expected, reported) {
  const hit = expected.filter((i) => reported.has(i)).length;
  return {
    hit,
    expected: expected.length,
    reported: reported.size,
    missed: expected.filter((i) => !reported.has(i)),
    extra: [...reported].filter((i) => !expected.includes(i)),
  };
}

/** The corpus's own settings on top of a runner's (--only, --node, --register): its JSON, its kill delay. */
export const corpusOptions = (runner) => ({ ...runner, json: path.join(here, '.work', 'corpus.json'), killAfterMs: 150 });

function parseArgs(argv) {
  return parseRunnerArgs(argv, corpusOptions({ only: null, node: process.execPath, register: path.join(repo, 'dist', 'register.cjs') }));
}

const pct = (n, d) => (d === 0 ? '-' : (n / d).toFixed(2));

export async function runCorpus(opts) {
  ensureDeps();
  const chosen = CORPUS.filter((e) => !opts.only || opts.only.includes(e.name));
  const rows = [];
  for (const entry of chosen) {
    const needs = entry.needs ?? [];
    const missing = (needs.includes('chromium') && !CHROMIUM) || (needs.includes('chromedriver') && !CHROMEDRIVER);
    if (missing) {
      rows.push({ name: entry.name, class: entry.class, skipped: 'no chromium/chromedriver (apt-get install chromium chromium-driver)' });
      continue;
    }
    const servers = await startServers(needs);
    try {
      const serverEnv = envFor(servers);
      const plain = await run(entry, 'plain', opts, serverEnv);
      const agent = await run(entry, 'agent', opts, serverEnv);
      const same = plain.code === agent.code && plain.signal === agent.signal && plain.stdout === agent.stdout;
      const ok = same && (entry.kill ? plain.signal === 'SIGTERM' : plain.code === 0);
      const reported = itemsOf(agent.inventories);
      rows.push({ name: entry.name, class: entry.class, same, ok, ...score(entry.expect, reported), plain, agent: { ...agent, inventories: agent.inventories.length } });
    } finally {
      for (const stop of servers.stops) stop();
    }
  }
  return rows;
}

function report(rows, node) {
  const ran = rows.filter((r) => !r.skipped);
  const hit = ran.reduce((n, r) => n + r.hit, 0);
  const expected = ran.reduce((n, r) => n + r.expected, 0);
  const reported = ran.reduce((n, r) => n + r.reported, 0);
  const table = [['program', 'covers', 'recall', 'precision', 'same as plain', 'missed', 'extra']];
  for (const r of rows) {
    if (r.skipped) table.push([r.name, r.class, '-', '-', 'skipped', r.skipped, '']);
    else table.push([r.name, r.class, pct(r.hit, r.expected), pct(r.hit, r.reported), r.ok ? 'yes' : 'NO', r.missed.join(' '), r.extra.join(' ')]);
  }
  table.push(['overall', `${ran.length} programs`, pct(hit, expected), pct(hit, reported), ran.every((r) => r.ok) ? 'yes' : 'NO', '', '']);
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
  process.stdout.write(`corpus on node ${node}\n`);
  for (const row of table) process.stdout.write(`${row.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd()}\n`);
  for (const r of ran.filter((x) => !x.ok)) {
    process.stdout.write(`\n${r.name}: plain exit ${r.plain.code}/${r.plain.signal} ${JSON.stringify(r.plain.stdout.slice(0, 200))}\n  agent exit ${r.agent.code}/${r.agent.signal} ${JSON.stringify(r.agent.stdout.slice(0, 200))}\n  stderr: ${r.agent.stderr.split('\n').slice(0, 4).join('\n  ')}\n`);
  }
  return { recall: expected ? hit / expected : 1, precision: reported ? hit / reported : 1, allOk: ran.every((r) => r.ok) };
}

/**
 * Runs the chosen programs, prints the table and writes the JSON; 0 when recall and precision are
 * both at least 0.95 and every program behaves as it does without the agent. `npm run compat`
 * (run.mjs) calls this after the test suites, with its own --only, --node and --register.
 */
export async function scoreCorpus(opts) {
  const node = spawnSync(opts.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const rows = await runCorpus(opts);
  const overall = report(rows, node);
  fs.mkdirSync(path.dirname(opts.json), { recursive: true });
  fs.writeFileSync(opts.json, `${JSON.stringify({ node, overall, rows }, null, 2)}\n`);
  return overall.recall >= 0.95 && overall.precision >= 0.95 && overall.allOk ? 0 : 1;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.register)) {
    process.stderr.write(`corpus: the agent is missing: ${opts.register} (run \`npx tsup\` first)\n`);
    return 2;
  }
  return scoreCorpus(opts);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exitCode = 2;
    },
  );
}
