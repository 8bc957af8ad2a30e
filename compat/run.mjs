#!/usr/bin/env node
/**
 * `npm run compat`: real, popular packages' own test suites, run plain and under the agent
 * (NODE_OPTIONS=--require <repo>/dist/register.cjs, as `aim run` and aim-entrypoint set it), with
 * the pass counts side by side; programs that broke other agents or change how node starts; then
 * the corpus (compat/corpus.mjs): real programs scored for recall and precision against the
 * inventory they should get, per program and overall.
 * Any difference is a bug in the agent. Opt-in (network for the first run: npm pack + npm install
 * into compat/.work), not part of `npm test`.
 *
 *   node compat/run.mjs [--only qs,fastify] [--node /path/to/node] [--register dist/register.cjs]
 *                       [--json compat/.work/results.json] [--keep-going] [--no-suites] [--no-programs]
 *                       [--no-corpus]
 *
 * --only takes suite names, program groups (tsx, ts-node, date-fns, openai) and corpus program
 * names (pg-query, ...): `--only ts-node` runs just the ts-node programs. Without --only,
 * everything runs. The exit code is 0 only when every suite and program behaves as without the
 * agent and the corpus scores at least 0.95 recall and 0.95 precision.
 * A register ending in .cjs is preloaded with --require, one ending in .mjs with --import.
 *
 * Each suite comes from its published npm tarball (which ships the tests), with its own declared
 * dev dependencies minus lint/build/coverage tools, installed with --ignore-scripts. The tests run
 * with the package's own runner, TAP output parsed for counts and failing test names.
 * Under the agent, AIM_OUTPUT points at a fresh directory, and the number of inventory files
 * written there is shown: it proves the agent was really running in those processes.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseRunnerArgs } from './args.mjs';
import { CORPUS, corpusOptions, scoreCorpus } from './corpus.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const work = path.join(here, '.work');

/** Dev dependencies never needed to run the tests. */
const DROP_DEV =
  /eslint|eclint|npmignore|safe-publish-latest|in-publish|^nyc$|^c8$|^aud$|auto-changelog|browserify|uglifyify|envify|unassertify|common-shakeify|bundle-collapser|module-deps|evalmd|markdownlint|tstyche|^typescript$|^@types\/|autocannon|branch-comparer|concurrently|neostandard|@stylistic\/|@jsumners\/line-reporter|^borp$|^jiti$/;

function listFiles(dir, pattern) {
  const out = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(full);
      } else if (pattern.test(full)) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * The suites. `command(dir, node)` returns [program, ...args] run in the package directory; the
 * output must be TAP. Chosen for: real popularity, tests in the tarball, offline and quick, and
 * between them the things the agent watches (fs, module resolution, http servers and clients).
 */
const SUITES = [
  {
    name: 'qs',
    version: '6.17.1',
    what: 'query strings; pure JS (tape)',
    command: (dir, node) => [node, path.join(dir, 'node_modules/tape/bin/tape'), 'test/**/*.js'],
  },
  {
    name: 'minimist',
    version: '1.2.8',
    what: 'argv parsing; pure JS (tape)',
    command: (dir, node) => [node, path.join(dir, 'node_modules/tape/bin/tape'), 'test/**/*.js'],
  },
  {
    name: 'resolve',
    version: '1.22.14',
    what: 'module resolution; heavy fs (tape)',
    // test/symlinks.js needs test/symlinks/source/, which the tarball does not ship: left out.
    command: (dir, node) => [
      node,
      path.join(dir, 'node_modules/tape/bin/tape'),
      ...fs
        .readdirSync(path.join(dir, 'test'))
        .filter((f) => f.endsWith('.js') && f !== 'symlinks.js')
        .sort()
        .map((f) => `test/${f}`),
    ],
  },
  {
    name: 'fastify',
    version: '5.12.8',
    what: 'web framework; real http servers and clients, one process per file (node:test)',
    command: (dir, node) => [
      node,
      '--test',
      '--test-reporter=tap',
      ...listFiles(path.join(dir, 'test'), /\.test\.m?js$/).map((f) => path.relative(dir, f)),
    ],
    timeoutMs: 30 * 60_000,
  },
];

/**
 * Programs that have broken other preload agents, or that change how node starts: each is run plain
 * and with the agent in NODE_OPTIONS (as `aim run` and aim-entrypoint set it: --require
 * register.cjs), and must print the same and exit the same. `aimRun`: under the agent, the command
 * is run by the real `aim run` (dist/cli.mjs next to the register) instead. `register: 'mjs'`: the
 * user's own `--import` of the ESM door. They live in compat/programs/ and use compat/node_modules
 * (installed from compat/package-lock.json on the first run). `group` is what --only selects.
 *
 * ts-node and the ts-node CLI compile the main file through require hooks: they fail under any
 * `--import` in NODE_OPTIONS (Node then loads the main file with its ES module loader, which ignores
 * require hooks), which is why `aim run` and aim-entrypoint preload register.cjs with --require.
 */
export const PROGRAMS = [
  { group: 'tsx', name: 'tsx: --import tsx (agent first, from NODE_OPTIONS)', args: ['--import', 'tsx', 'programs/app.ts'] },
  {
    group: 'tsx',
    name: 'tsx: --import tsx, then the agent by --import register.mjs',
    args: ['--import', 'tsx', 'programs/app.ts'],
    agentArgs: (reg) => ['--import', 'tsx', '--import', reg, 'programs/app.ts'],
    agentInArgs: true,
    register: 'mjs',
  },
  { group: 'tsx', name: 'tsx: the tsx CLI (a launcher process)', bin: 'node_modules/tsx/dist/cli.mjs', args: ['programs/app.ts'] },
  { group: 'ts-node', name: 'ts-node: node -r ts-node/register', cwd: 'programs/ts-node', args: ['-r', 'ts-node/register', 'app.ts'] },
  {
    group: 'ts-node',
    name: 'ts-node: aim run -- node -r ts-node/register app.ts',
    cwd: 'programs/ts-node',
    args: ['-r', 'ts-node/register', 'app.ts'],
    aimRun: true,
  },
  { group: 'ts-node', name: 'ts-node: the ts-node CLI', cwd: 'programs/ts-node', bin: 'node_modules/ts-node/dist/bin.js', args: ['app.ts'] },
  { group: 'date-fns', name: 'date-fns 3.6 (ESM; broke import-in-the-middle)', args: ['programs/date-fns.mjs'] },
  { group: 'openai', name: 'openai 4 (ESM; broke import-in-the-middle)', args: ['programs/openai.mjs'] },
];

/** The suites and programs `--only` selects (all of them without it). */
export function selected(only) {
  return {
    suites: SUITES.filter((s) => !only || only.includes(s.name)),
    programs: PROGRAMS.filter((p) => !only || only.includes(p.group)),
  };
}

function ensureProgramDeps() {
  if (fs.existsSync(path.join(here, 'node_modules', '.package-lock.json'))) return;
  log('installing compat/ dependencies (npm ci)');
  sh('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], here);
}

function runProgram(program, mode, opts) {
  const env = { ...process.env };
  delete env.AIM_OUTPUT;
  let outDir = null;
  const register = program.register === 'mjs' ? opts.register.replace(/\.cjs$/, '.mjs') : opts.register;
  let argv = program.bin ? [path.join(here, program.bin), ...program.args] : program.args;
  if (mode === 'agent') {
    if (program.agentInArgs) argv = program.agentArgs(register);
    else if (program.aimRun) argv = [path.join(path.dirname(opts.register), 'cli.mjs'), 'run', '--', opts.node, ...argv];
    else env.NODE_OPTIONS = withAgent(env.NODE_OPTIONS, register);
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aim-compat-program-'));
    env.AIM_OUTPUT = outDir;
  }
  const r = spawnSync(opts.node, argv, { cwd: path.join(here, program.cwd ?? '.'), env, encoding: 'utf8', timeout: 120_000 });
  let inventories = null;
  if (outDir) {
    inventories = fs.readdirSync(outDir).length;
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, inventories };
}

function parseArgs(argv) {
  const opts = {
    only: null,
    node: process.execPath,
    register: path.join(repo, 'dist', 'register.cjs'),
    json: path.join(work, 'results.json'),
    keepGoing: false,
    suites: true,
    programs: true,
    corpus: true,
  };
  const help = () => {
    process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
    process.exit(0);
  };
  return parseRunnerArgs(argv, opts, {
    '--keep-going': (o) => (o.keepGoing = true),
    '--no-suites': (o) => (o.suites = false),
    '--no-programs': (o) => (o.programs = false),
    '--no-corpus': (o) => (o.corpus = false),
    '-h': help,
    '--help': help,
  });
}

function sh(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr || r.stdout}`);
  return r.stdout;
}

/** npm pack + extract + install the test dependencies, once (a marker file says it is done). */
function prepare(suite) {
  const base = path.join(work, `${suite.name}@${suite.version}`);
  const dir = path.join(base, 'package');
  const marker = path.join(base, '.ready');
  if (fs.existsSync(marker)) return dir;
  fs.rmSync(base, { recursive: true, force: true });
  fs.mkdirSync(base, { recursive: true });
  log(`preparing ${suite.name}@${suite.version} (npm pack, npm install)`);
  const out = sh('npm', ['pack', `${suite.name}@${suite.version}`, '--json', '--pack-destination', base], base);
  const tarball = path.join(base, JSON.parse(out)[0].filename);
  sh('tar', ['-xzf', tarball, '-C', base], base);
  const pkgFile = path.join(dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  pkg.devDependencies = Object.fromEntries(
    Object.entries(pkg.devDependencies ?? {}).filter(([name]) => !DROP_DEV.test(name)),
  );
  delete pkg.scripts; // nothing of theirs runs at install
  // The registry reached here can lag behind the tarball's declared dev dependency ranges: when a
  // range has no match, use the newest published version of that package instead (recorded).
  const overrides = {};
  for (let attempt = 0; ; attempt++) {
    fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
    const r = spawnSync(
      'npm',
      ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', '--legacy-peer-deps'],
      { cwd: dir, encoding: 'utf8' },
    );
    if (r.status === 0) break;
    const missing = /No matching version found for (@?[^@\s]+)@(\S+?)\.?\s/.exec(r.stderr);
    const name = missing?.[1];
    if (!name || attempt >= 10 || !(pkg.devDependencies?.[name] || pkg.dependencies?.[name])) {
      throw new Error(`npm install failed in ${dir}:\n${r.stderr}`);
    }
    const latest = sh('npm', ['view', name, 'version'], dir).trim();
    overrides[name] = `${missing[2]} -> ${latest}`;
    log(`${suite.name}: ${name}@${missing[2]} is not in the registry; using ${latest}`);
    if (pkg.devDependencies?.[name]) pkg.devDependencies[name] = latest;
    else pkg.dependencies[name] = latest;
  }
  fs.writeFileSync(path.join(base, 'overrides.json'), `${JSON.stringify(overrides, null, 2)}\n`);
  fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
  return dir;
}

/**
 * NODE_OPTIONS with the agent appended, quoted the way Node reads NODE_OPTIONS: `--require` for a
 * .cjs register, `--import` (a file: URL when the path has %, #, ? or \\) for a .mjs one. The same
 * text as src/cli/node-options.ts (test/e2e/compat-run.test.ts checks).
 */
export function withAgent(existing, register) {
  const cjs = register.endsWith('.cjs');
  const spec = !cjs && /[%#?\\]/.test(register) ? pathToFileURL(register).href : register;
  const quoted = /[ "]/.test(spec) ? `"${spec.replace(/[\\"]/g, '\\$&')}"` : spec;
  return [existing, `${cjs ? '--require' : '--import'} ${quoted}`].filter(Boolean).join(' ');
}

/** Counts from TAP: the trailing `# pass N` / `# fail N` summary, plus every failing test's name. */
export function parseTap(text) {
  const num = (re) => {
    const all = [...text.matchAll(re)];
    return all.length ? Number(all[all.length - 1][1]) : null;
  };
  const failing = [...text.matchAll(/^\s*not ok \d+(?: - )?(.*?)(?: # (?:SKIP|TODO).*)?$/gm)]
    .filter((m) => !/# (SKIP|TODO)/.test(m[0]))
    .map((m) => m[1].trim());
  const okCount = [...text.matchAll(/^ok \d+/gm)].length;
  const notOkCount = [...text.matchAll(/^not ok \d+/gm)].length;
  return {
    tests: num(/^# tests\s+(\d+)/gm) ?? okCount + notOkCount,
    pass: num(/^# pass\s+(\d+)/gm) ?? okCount,
    fail: num(/^# fail\s+(\d+)/gm) ?? notOkCount,
    skipped: num(/^# skip(?:ped)?\s+(\d+)/gm) ?? 0,
    failing: [...new Set(failing)],
  };
}

function runSuite(suite, dir, mode, opts) {
  const env = { ...process.env };
  delete env.AIM_OUTPUT;
  let outDir = null;
  if (mode === 'agent') {
    env.NODE_OPTIONS = withAgent(env.NODE_OPTIONS, opts.register);
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), `aim-compat-${suite.name}-`));
    env.AIM_OUTPUT = outDir;
  }
  const [cmd, ...args] = suite.command(dir, opts.node);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), suite.timeoutMs ?? 10 * 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const logFile = path.join(work, `${suite.name}.${mode}.log`);
      fs.writeFileSync(logFile, `$ ${[cmd, ...args].join(' ')}\n# NODE_OPTIONS=${env.NODE_OPTIONS ?? ''}\n${stdout}\n--- stderr ---\n${stderr}`);
      let inventories = null;
      if (outDir) {
        inventories = fs.readdirSync(outDir).filter((f) => f.endsWith('.json')).length;
        fs.rmSync(outDir, { recursive: true, force: true });
      }
      const aimLines = stderr.split('\n').filter((l) => /^aim (error|warn|info)\b/.test(l));
      resolve({
        ...parseTap(stdout),
        code,
        signal,
        seconds: Math.round((Date.now() - started) / 100) / 10,
        inventories,
        aimStderr: [...new Set(aimLines)].slice(0, 20),
        log: path.relative(repo, logFile),
      });
    });
  });
}

function log(line) {
  process.stderr.write(`compat: ${line}\n`);
}

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.register)) {
    log(`the agent is missing: ${opts.register} (run \`npx tsup\` first)`);
    return 2;
  }
  fs.mkdirSync(work, { recursive: true });
  const nodeVersion = sh(opts.node, ['--version']).trim();
  const chosen = selected(opts.only);
  const unknown = (opts.only ?? []).filter((n) => !SUITES.some((s) => s.name === n) && !PROGRAMS.some((p) => p.group === n) && !CORPUS.some((e) => e.name === n));
  if (unknown.length) {
    log(`--only: no suite, program group or corpus program named ${unknown.join(', ')}`);
    return 2;
  }
  const suites = opts.suites ? chosen.suites : [];
  const results = [];
  for (const suite of suites) {
    let dir;
    try {
      dir = prepare(suite);
    } catch (error) {
      log(`${suite.name}: could not prepare: ${error.message}`);
      results.push({ suite: suite.name, version: suite.version, error: error.message });
      if (!opts.keepGoing) break;
      continue;
    }
    log(`${suite.name}: running plain`);
    const plain = await runSuite(suite, dir, 'plain', opts);
    log(`${suite.name}: plain ${plain.pass}/${plain.tests} passed in ${plain.seconds}s; running under the agent`);
    const agent = await runSuite(suite, dir, 'agent', opts);
    log(`${suite.name}: agent ${agent.pass}/${agent.tests} passed in ${agent.seconds}s`);
    const onlyPlain = plain.failing.filter((n) => !agent.failing.includes(n));
    const onlyAgent = agent.failing.filter((n) => !plain.failing.includes(n));
    results.push({
      suite: suite.name,
      version: suite.version,
      what: suite.what,
      plain,
      agent,
      // A suite that ran nothing proves nothing: count it as a difference.
      same:
        plain.tests > 0 &&
        plain.pass === agent.pass &&
        plain.fail === agent.fail &&
        plain.tests === agent.tests &&
        onlyAgent.length === 0,
      failingOnlyUnderAgent: onlyAgent,
      failingOnlyPlain: onlyPlain,
    });
  }

  const rows = [
    ['suite', 'plain pass/total', 'agent pass/total', 'inventories', 'same'],
    ...results.map((r) =>
      r.error
        ? [r.suite, 'error', 'error', '', 'no']
        : [
            `${r.suite}@${r.version}`,
            `${r.plain.pass}/${r.plain.tests}${r.plain.fail ? ` (${r.plain.fail} fail)` : ''}`,
            `${r.agent.pass}/${r.agent.tests}${r.agent.fail ? ` (${r.agent.fail} fail)` : ''}`,
            String(r.agent.inventories),
            r.same ? 'yes' : 'NO',
          ],
    ),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  process.stdout.write(`node ${nodeVersion}, agent ${path.relative(process.cwd(), opts.register) || opts.register}\n`);
  if (results.length) for (const row of rows) process.stdout.write(`${row.map((c, i) => pad(c, widths[i])).join('  ')}\n`);
  for (const r of results) {
    if (r.error) continue;
    if (r.failingOnlyUnderAgent.length)
      process.stdout.write(`\n${r.suite}: failing only under the agent:\n  ${r.failingOnlyUnderAgent.join('\n  ')}\n`);
    if (r.failingOnlyPlain.length)
      process.stdout.write(`\n${r.suite}: failing only without the agent:\n  ${r.failingOnlyPlain.join('\n  ')}\n`);
    if (r.agent.aimStderr.length) process.stdout.write(`\n${r.suite}: the agent said on stderr:\n  ${r.agent.aimStderr.join('\n  ')}\n`);
  }
  const programs = [];
  if (opts.programs && chosen.programs.length) {
    ensureProgramDeps();
    for (const program of chosen.programs) {
      const plain = runProgram(program, 'plain', opts);
      const agent = runProgram(program, 'agent', opts);
      // Under the agent, at least one inventory: the agent really ran (a row it skipped proves nothing).
      const same = plain.code === agent.code && plain.stdout === agent.stdout && plain.code === 0 && agent.inventories > 0;
      programs.push({ name: program.name, same, plain, agent });
    }
    process.stdout.write('\n');
    const prow = [['program', 'plain', 'agent', 'inventories', 'same'], ...programs.map((p) => [
      p.name,
      `exit ${p.plain.code}`,
      `exit ${p.agent.code}`,
      String(p.agent.inventories),
      p.same ? 'yes' : 'NO',
    ])];
    const pw = prow[0].map((_, i) => Math.max(...prow.map((row) => row[i].length)));
    for (const row of prow) process.stdout.write(`${row.map((c, i) => pad(c, pw[i])).join('  ')}\n`);
    for (const p of programs.filter((x) => !x.same)) {
      const first = (t) => t.split('\n').filter(Boolean).slice(0, 3).join('\n    ');
      process.stdout.write(`\n${p.name}:\n  plain: ${JSON.stringify(p.plain.stdout)}\n  agent: ${JSON.stringify(p.agent.stdout)}\n  agent stderr:\n    ${first(p.agent.stderr)}\n`);
    }
  }
  fs.writeFileSync(opts.json, `${JSON.stringify({ node: nodeVersion, results, programs }, null, 2)}\n`);
  process.stdout.write(`\nlogs: compat/.work/<suite>.<plain|agent>.log, results: ${path.relative(process.cwd(), opts.json)}\n`);
  const same = results.every((r) => r.same) && programs.every((p) => p.same);
  // The corpus: real programs scored for recall and precision against what they really do.
  if (!opts.corpus || (opts.only && !CORPUS.some((e) => opts.only.includes(e.name)))) return same ? 0 : 1;
  process.stdout.write('\n');
  const corpus = corpusOptions(opts);
  const scored = await scoreCorpus(corpus);
  process.stdout.write(`corpus results: ${path.relative(process.cwd(), corpus.json)}\n`);
  return same && scored === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => (process.exitCode = code),
    (error) => {
      log(error.stack ?? String(error));
      process.exitCode = 2;
    },
  );
}
