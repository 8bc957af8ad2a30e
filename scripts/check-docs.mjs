#!/usr/bin/env node
// Runs every shell command of README.md and docs/*.md on a fresh clone of this repository, so the
// docs cannot rot (`.ci/run` runs it). Each command in a ```sh block must be in CHECKS (run, as
// written or with its placeholders filled in, and its result checked) or in SKIPS (with the
// reason it cannot run here); a command in neither fails the check, so a new command in the docs
// comes with its check.
//
//   node scripts/check-docs.mjs            clone HEAD into a temp directory, npm ci, run them all
//   node scripts/check-docs.mjs --list     only check that every docs command is known
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;

/** Commands that cannot run in CI, and why. */
const SKIPS = {
  'npm install aim': 'the package is not on the registry yet; the tarball install below is the same package',
  'npm test': "CI's own `npm test` step runs it on this commit",
  'AIM_TEST_NODE=/path/to/node npx vitest run e2e': 'CI runs the end-to-end tests on every Node version itself',
  'bash .ci/run': 'this script is one of its steps',
  'node scripts/check-docs.mjs': 'this script',
  'curl -s -H "Authorization: Bearer $(cat ~/.local/state/aim/collector-8080.token)" http://127.0.0.1:8080/__aim/received': 'run with the line above it (the collector in the background)',
  'npm ci': 'the first check runs it (`npm ci && npm run demo`)',
  'docker run --init -e AIM_API_KEY -e AIM_AGENT_ID=support-bot -e AIM_URL=https://aim.example.com my-agent': 'needs Docker and an image; aim-entrypoint is checked below',
  'docker run --init --env-file aim.env my-agent': 'needs Docker and an image',
  "kubectl create secret generic aim --from-literal=api-key='aim_live_...'": 'needs a Kubernetes cluster',
  'npx aim policy -- node app.mjs data out http://127.0.0.1:8080/status': "the worked example's data directory and server; test/e2e/policy.test.ts runs it on Node 22, 24 and 26",
  'npx aim policy --json -- npm start': 'the same as the --json --out check below, to stdout',
  'npx aim policy ./inventories/': 'needs saved AIM_OUTPUT files; test/e2e/policy.test.ts reads a directory of them',
  'npx aim policy --node 26 ./inventories/': 'needs saved AIM_OUTPUT files; test/e2e/policy.test.ts runs --node against them',
  'npx aim policy --node 26 ./inventories/4242.json': 'needs a saved AIM_OUTPUT file; test/e2e/policy.test.ts runs --node against them',
  'npx aim policy --json --out policy.json -- node app.mjs': 'the same as the --json --out check below, with npm start',
  'AIM_ALLOWLIST=policy.json AIM_API_KEY=... node --import aim/register app.mjs': 'needs an AIM server; test/e2e/drift.test.ts runs it against the collector',
  'npx aim inspect --format cyclonedx-1.7 -- npm start > bom.json': 'the same as the cyclonedx --out check below; test/e2e/cyclonedx.test.ts validates 1.7',
};

const parseJson = `node -e "JSON.parse(require('fs').readFileSync(0, 'utf8'))"`;

/** Commands run, in order: `where` is the clone or the sample app; `run` replaces placeholders. */
const CHECKS = [
  { command: 'npm ci && npm run demo', where: 'clone', expect: /What the AIM collector received:[\s\S]*capabilities -> 201/ },
  { command: 'npm ci && npm pack', where: 'clone', expect: new RegExp(`aim-${version.replace(/\./g, '\\.')}\\.tgz`) },
  { command: 'cd /path/to/your-app && npm install /path/to/aim-0.1.0.tgz', where: 'app', run: (c) => `npm install ${c.tarball}` },
  { command: 'npx aim inspect -- node app.js', where: 'app', expect: /app, pid \d+: node app\.js[\s\S]*file:read\s+used/ },
  { command: 'npx aim inspect -- node app.mjs', where: 'app', expect: /system:exec\s+used\s+95\s+app\s+echo hi \(no shell\)/ },
  {
    command: 'AIM_API_KEY=aim_live_... AIM_URL=https://aim.example.com node --import aim/register app.js',
    where: 'app',
    run: (c) => `AIM_API_KEY=${c.demoKey} AIM_URL=${c.collectorUrl} AIM_AGENT_ID=${c.demoAgent} node --import aim/register app.js`,
    expect: /^hi\n$/,
  },
  { command: 'NODE_OPTIONS="$NODE_OPTIONS --require aim/register" npm start', where: 'app', env: { AIM_LOG_LEVEL: 'info' }, expect: /AIM-S001: aim .* on Node/ },
  { command: 'npx aim run -- npm start', where: 'app', env: { AIM_LOG_LEVEL: 'info' }, expect: /AIM-S001: aim .* on Node/ },
  { command: 'AIM_LOG_LEVEL=info node --import aim/register app.js', where: 'app', expect: /aim info AIM-S001: aim .*reports: nowhere/ },
  { command: 'npx aim inspect --json -- npm start | jq .', where: 'app', run: () => `npx aim inspect --json -- npm start | ${parseJson}` },
  { command: 'npx aim inspect --out inv.json -- node app.mjs', where: 'app', run: (c) => `npx aim inspect --out inv.json -- node app.mjs && ${parseJson} < inv.json` },
  { command: 'npx aim policy -- node app.mjs | tail -1', where: 'app', expect: /^\S*node --(experimental-)?permission --allow-fs-read=\S+ .*--allow-child-process \S*app\.mjs\n$/ },
  { command: 'npx aim policy --json --out policy.json -- npm start', where: 'app', run: (c) => `npx aim policy --json --out policy.json -- npm start && ${parseJson} < policy.json` },
  {
    command: 'npx aim inspect --format cyclonedx --out bom.json -- node agent.cjs',
    where: 'app',
    run: () => `npx aim inspect --format cyclonedx --out bom.json -- node app.js && ${parseJson} < bom.json`,
  },
  {
    // The two lines of the collector's token example, run together: the collector in the
    // background (on a free port, its state under the app's folder), then the curl with its token.
    command: 'npx aim collector --port 8080 &',
    where: 'app',
    run: (c) =>
      `export XDG_STATE_HOME="$PWD/state"; setsid npx aim collector --port ${c.freePort} >/dev/null 2>&1 & pid=$!; ` +
      `token="$XDG_STATE_HOME/aim/collector-${c.freePort}.token"; for i in $(seq 100); do [ -s "$token" ] && break; sleep 0.1; done; ` +
      `curl -s -H "Authorization: Bearer $(cat "$token")" http://127.0.0.1:${c.freePort}/__aim/received; status=$?; kill -- -$pid; exit $status`,
    expect: /^\[/,
  },
  // Not in a ```sh block, but named by the docs: the other commands a user is told about.
  { command: 'npx aim --version', where: 'app', extra: true, expect: new RegExp(`^${version.replace(/\./g, '\\.')}\n$`) },
  { command: 'npx aim help', where: 'app', extra: true, expect: /aim inspect[\s\S]*aim doctor/ },
  { command: 'npx aim doctor --help', where: 'app', extra: true, expect: /^usage: aim doctor/ },
  { command: 'npx aim-entrypoint node app.js', where: 'app', extra: true, expect: /AIM-E003: AIM_API_KEY is not set/ },
];

/** Every command line of the ```sh blocks, comments and their trailing `# ...` dropped. */
function docsCommands() {
  const files = ['README.md', ...readdirSync(join(repo, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const found = [];
  for (const file of files) {
    const text = readFileSync(join(repo, file), 'utf8');
    for (const block of text.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
      for (const raw of block[1].split('\n')) {
        const line = raw.replace(/\s{2,}#.*$/, '').trim();
        if (line && !line.startsWith('#')) found.push({ file, line });
      }
    }
  }
  return found;
}

function checkKnown() {
  const known = new Set([...Object.keys(SKIPS), ...CHECKS.map((c) => c.command)]);
  const unknown = docsCommands().filter(({ line }) => !known.has(line));
  for (const { file, line } of unknown) console.error(`check-docs: ${file}: \`${line}\` is neither run nor skipped in scripts/check-docs.mjs`);
  return unknown.length === 0;
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function startCollector(cli) {
  const child = spawn(process.execPath, [cli, 'collector', '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
      const agent = /AIM_AGENT_ID=(\S+)/.exec(text)?.[1];
      const key = /AIM_API_KEY=(\S+)/.exec(text)?.[1];
      if (url && agent && key) resolve({ child, url, agent, key });
    });
    child.on('exit', () => reject(new Error(`the collector did not start:\n${text}`)));
  });
}

const APP_JS = `const fs = require('node:fs');
fs.readFileSync(__filename);
process.stdout.write(require('node:child_process').execFileSync('echo', ['hi']));
`;
const APP_MJS = `import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
readFileSync(new URL(import.meta.url));
process.stdout.write(execFileSync('echo', ['hi']));
`;

async function main() {
  if (!checkKnown()) process.exit(1);
  if (process.argv.includes('--list')) return;
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'aim-docs-'));
  try {
    const clone = join(work, 'aim');
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', repo, clone], { stdio: 'inherit' });
    execFileSync('git', ['-C', clone, 'checkout', '--quiet', execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()]);
    const app = join(work, 'your-app');
    execFileSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'your-app', version: '1.0.0', private: true, scripts: { start: 'node app.js' } }));
    writeFileSync(join(app, 'app.js'), APP_JS);
    writeFileSync(join(app, 'app.mjs'), APP_MJS);
    const context = { tarball: join(clone, `aim-${version}.tgz`), freePort: await freePort() };
    const env = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', npm_config_prefer_offline: 'true' };
    for (const name of Object.keys(env)) if (name.startsWith('AIM_') || name === 'NODE_OPTIONS') delete env[name];
    let collector;
    let failed = 0;
    for (const check of CHECKS) {
      if (check.command.includes('AIM_API_KEY=aim_live_') && !collector) {
        collector = await startCollector(join(clone, 'dist/cli.mjs'));
        Object.assign(context, { collectorUrl: collector.url, demoAgent: collector.agent, demoKey: collector.key });
      }
      const line = check.run ? check.run(context) : check.command;
      const t0 = Date.now();
      const r = spawnSync('sh', ['-c', line], { cwd: check.where === 'clone' ? clone : app, env: { ...env, ...check.env }, encoding: 'utf8', timeout: 300_000 });
      const output = `${r.stdout}${r.stderr}`;
      const ok = r.status === 0 && (!check.expect || check.expect.test(check.expect.source.startsWith('^') ? r.stdout : output));
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${check.command}${line !== check.command ? `\n       (ran: ${line})` : ''}  [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
      if (!ok) {
        failed++;
        console.log(`       exit ${r.status}${r.signal ? ` (${r.signal})` : ''}; expected ${check.expect ?? 'exit 0'}\n${output.replace(/^/gm, '       | ')}`);
      }
    }
    collector?.child.kill();
    console.log(`check-docs: ${CHECKS.length - failed} of ${CHECKS.length} commands ok, ${Object.keys(SKIPS).length} skipped with a reason, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (failed) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
