/**
 * `aim run` end to end with real child programs. The CLI here is src/cli/run.ts bundled with esbuild
 * next to stand-in register.cjs and register.mjs (the layout of dist/: cli.mjs beside both doors of
 * the agent), so the test checks the wiring (which processes preload which door, and how often)
 * independently of the agent. `aim run` preloads register.cjs with --require: any --import would make
 * Node load the main file through its ES module loader, which ignores require hooks (ts-node).
 * test/cli-run-e2e.test.ts runs the real dist/cli.mjs with the real agent.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gracefulApp, terminateWhenReady } from '../helpers/graceful.js';

const NODE = process.env.AIM_TEST_NODE ?? process.execPath;
let dir: string;
let cli: string;
let logFile: string;

const write = (name: string, source: string, mode = 0o644): string => {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, source, { mode });
  return file;
};

function bundleCli(outDir: string): string {
  const outfile = path.join(outDir, 'cli.mjs');
  buildSync({
    stdin: {
      contents: `import { run } from './src/cli/run.ts';
run(process.argv.slice(3)).then((c) => { process.exitCode = c; }, (e) => { process.stderr.write('aim: ' + e.message + '\\n'); process.exitCode = 1; });`,
      resolveDir: path.resolve('.'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

/** One line per process that preloaded a stand-in: pid, ppid, what it runs, which door (cjs, mjs). */
function loads(): { pid: number; ppid: number; main: string; door: string }[] {
  if (!fs.existsSync(logFile)) return [];
  return fs
    .readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { pid: number; ppid: number; main: string; door: string });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aim run '));
  cli = bundleCli(path.join(dir, 'dist'));
  logFile = path.join(dir, 'loads.log');
  write(
    'dist/register.cjs',
    `const fs = require('node:fs');
fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify({ pid: process.pid, ppid: process.ppid, main: process.argv[1] ?? '', door: 'cjs' }) + '\\n');
`,
  );
  write(
    'dist/register.mjs',
    `import fs from 'node:fs';
fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify({ pid: process.pid, ppid: process.ppid, main: process.argv[1] ?? '', door: 'mjs' }) + '\\n');
`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function aimRun(args: string[], options: { env?: NodeJS.ProcessEnv; input?: Buffer | string; cwd?: string } = {}) {
  fs.rmSync(logFile, { force: true });
  return spawnSync(NODE, [cli, 'run', ...args], {
    env: { ...process.env, STANDIN_LOG: logFile, ...options.env },
    input: options.input ?? '',
    cwd: options.cwd ?? dir,
    maxBuffer: 8 << 20,
  });
}

describe('aim run: arguments', () => {
  it('prints usage and exits 2 without a command', () => {
    const r = aimRun([]);
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toContain('usage: aim run');
    expect(aimRun(['--']).status).toBe(2);
  });
  it('--help goes to stdout with 0', () => {
    const r = aimRun(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain('usage: aim run');
  });
  it('rejects an unknown option before the command, accepts options after --', () => {
    expect(aimRun(['--weird', 'node']).status).toBe(2);
    const app = write('argv.cjs', 'process.stdout.write(process.argv.slice(2).join(","));\n');
    const r = aimRun(['--', NODE, app, '--', '--weird']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe('--,--weird');
  });
  it('says so when the agent is missing next to the CLI', () => {
    const lonely = bundleCli(path.join(dir, 'no-agent'));
    const r = spawnSync(NODE, [lonely, 'run', NODE, '-e', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the agent is missing');
  });
});

describe('aim run: behaves like the command', () => {
  it('preloads the register in the node child, once, with --require register.cjs', () => {
    const app = write('app.mjs', 'process.stdout.write(process.env.NODE_OPTIONS);\n');
    const r = aimRun([NODE, app]);
    expect(r.status).toBe(0);
    const register = path.join(dir, 'dist', 'register.cjs');
    expect(r.stdout.toString()).toBe(`--require "${register}"`); // the temp dir has a space
    expect(loads().map((l) => [l.main, l.door])).toEqual([[app, 'cjs']]);
  });

  it('leaves require hooks working for the main file (node -r ts-node/register app.ts style)', () => {
    // The package.json makes the main file's scope CommonJS (the repo's own is "type": "module").
    write('hooked/package.json', '{ "type": "commonjs" }');
    const hook = write(
      'hooked/hook.cjs',
      `require.extensions['.txtjs'] = (m, file) => m._compile(require('fs').readFileSync(file, 'utf8').replace('#hook', ''), file);\n`,
    );
    const main = write('hooked/main.txtjs', '#hook\nprocess.stdout.write("compiled by the hook");\n');
    const r = aimRun([NODE, '-r', hook, main]);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe('compiled by the hook');
    expect(loads().map((l) => [l.main, l.door])).toEqual([[main, 'cjs']]);
  });

  it('keeps NODE_OPTIONS that were there', () => {
    const pre = write('pre x.cjs', 'globalThis.pre = 1;\n');
    const app = write(
      'app-opts.cjs',
      'process.stdout.write(JSON.stringify([globalThis.pre, Error.stackTraceLimit, process.env.NODE_OPTIONS]));\n',
    );
    const before = `--require "${pre}" --stack-trace-limit=7`;
    const r = aimRun([NODE, app], { env: { NODE_OPTIONS: before } });
    expect(r.status).toBe(0);
    const register = path.join(dir, 'dist', 'register.cjs');
    expect(JSON.parse(r.stdout.toString())).toEqual([1, 7, `${before} --require "${register}"`]);
    expect(loads()).toHaveLength(1);
  });

  it('passes the exit code through', () => {
    expect(aimRun([NODE, '-e', 'process.exitCode = 3']).status).toBe(3);
    expect(aimRun(['sh', '-c', 'exit 250']).status).toBe(250);
    expect(aimRun(['aim-surely-not-a-command']).status).toBe(127);
  });

  it('passes termination by a signal through', () => {
    const r = aimRun([NODE, '-e', 'process.kill(process.pid, "SIGTERM"); setInterval(() => {}, 1000)']);
    expect(r.status).toBe(null);
    expect(r.signal).toBe('SIGTERM');
    const k = aimRun([NODE, '-e', 'process.kill(process.pid, "SIGKILL")']);
    expect(k.signal).toBe('SIGKILL');
  });

  it('forwards SIGTERM to the app, which can shut down gracefully', async () => {
    const app = write(
      'graceful.cjs',
      gracefulApp('bye'),
    );
    const child = spawn(NODE, [cli, 'run', NODE, app], {
      env: { ...process.env, STANDIN_LOG: logFile },
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const { out, code } = await terminateWhenReady(child);
    expect(code).toBe(0);
    expect(out).toBe('ready\nbye\n');
  });

  it('keeps stdin and stdout byte-identical', () => {
    const app = write('cat.cjs', `process.stdin.pipe(process.stdout);\n`);
    const input = randomBytes(3 << 20);
    const r = aimRun([NODE, app], { input });
    expect(r.status).toBe(0);
    expect(Buffer.compare(r.stdout, input)).toBe(0);
    expect(r.stderr.length).toBe(0);
  });

  it('reaches node below a shell script', () => {
    const app = write('sh-app.cjs', 'process.stdout.write("app " + process.argv.slice(2).join(" "));\n');
    const script = write('start.sh', `#!/bin/sh\necho "shell first"\n"${NODE}" "${app}" "$@"\nexit 5\n`, 0o755);
    const r = aimRun([script, 'a b', 'c']);
    expect(r.status).toBe(5);
    expect(r.stdout.toString()).toBe('shell first\napp a b c');
    expect(loads().map((l) => l.main)).toEqual([app]);
  });

  it('reaches node below npm run (npm itself is a node process too)', () => {
    const app = write('pkg/app.cjs', 'process.stdout.write("from app\\n"); process.exitCode = 4;\n');
    write(
      'pkg/package.json',
      JSON.stringify({ name: 'fixture', version: '1.0.0', private: true, scripts: { start: `"${NODE}" app.cjs` } }),
    );
    const r = aimRun(['npm', 'run', '--silent', 'start'], {
      cwd: path.join(dir, 'pkg'),
      env: { npm_config_update_notifier: 'false', npm_config_fund: 'false' },
    });
    expect(r.stdout.toString()).toBe('from app\n');
    expect(r.status).toBe(4);
    const seen = loads();
    const appLoad = seen.find((l) => l.main === app);
    expect(appLoad).toBeDefined();
    // npm's own node process preloaded it too, and each process only once.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seen.map((l) => l.pid)).size).toBe(seen.length);
  });

  it('does not add the agent twice when nested', () => {
    const app = write('nested.cjs', 'process.stdout.write(process.env.NODE_OPTIONS);\n');
    fs.rmSync(logFile, { force: true });
    const r = spawnSync(NODE, [cli, 'run', NODE, cli, 'run', NODE, app], {
      env: { ...process.env, STANDIN_LOG: logFile },
    });
    expect(r.status).toBe(0);
    const register = path.join(dir, 'dist', 'register.cjs');
    expect(r.stdout.toString()).toBe(`--require "${register}"`);
    // the inner CLI and the app, once each
    expect(loads().map((l) => l.main)).toEqual([cli, app]);
  });
});
