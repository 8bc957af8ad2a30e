/**
 * bin/aim-entrypoint, the container entrypoint, run by dash and bash (and by its own #!/bin/sh) from
 * an npm-style install: node_modules/aim/bin/aim-entrypoint linked from node_modules/.bin, with a
 * stand-in dist/register.cjs that records which processes preloaded it. The script preloads it with
 * --require, not register.mjs with --import: any --import in NODE_OPTIONS makes Node load the main
 * file through its ES module loader, which ignores require hooks (ts-node, @babel/register).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gracefulApp, terminateWhenReady } from '../helpers/graceful.js';

const NODE = process.env.AIM_TEST_NODE ?? process.execPath;
const SCRIPT = path.resolve('bin/aim-entrypoint');
const KEY = 'aim_test_SECRETsecret123';
let tmp: string;

interface Install {
  root: string;
  bin: string;
  /** dist/register.cjs, what the script preloads. */
  register: string;
  /** dist/register.mjs, the ESM door of the same agent (not written: the script must not need it). */
  esm: string;
  log: string;
}

/** An npm-style install of the package under `parent` (node_modules/.bin symlink, relative). */
function install(parent: string, withAgent = true): Install {
  const root = path.join(parent, 'node_modules', 'aim');
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  fs.mkdirSync(path.join(parent, 'node_modules', '.bin'), { recursive: true });
  fs.copyFileSync(SCRIPT, path.join(root, 'bin', 'aim-entrypoint'));
  fs.chmodSync(path.join(root, 'bin', 'aim-entrypoint'), 0o755);
  const register = path.join(root, 'dist', 'register.cjs');
  const esm = path.join(root, 'dist', 'register.mjs');
  const log = path.join(parent, 'loads.log');
  if (withAgent) {
    fs.writeFileSync(
      register,
      `const fs = require('node:fs');
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ pid: process.pid, main: process.argv[1] ?? '' }) + '\\n');
`,
    );
  }
  const bin = path.join(parent, 'node_modules', '.bin', 'aim-entrypoint');
  fs.symlinkSync('../aim/bin/aim-entrypoint', bin);
  return { root, bin, register, esm, log };
}

function loads(inst: Install): { pid: number; main: string }[] {
  if (!fs.existsSync(inst.log)) return [];
  return fs
    .readFileSync(inst.log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { pid: number; main: string });
}

/** Node's NODE_OPTIONS quoting, written independently of the script. */
const quoted = (p: string) => (/[ "]/.test(p) ? `"${p.replace(/[\\"]/g, '\\$&')}"` : p);

let plain: Install;
let spaced: Install;
let urlish: Install;
let app: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aim-entrypoint-'));
  plain = install(path.join(tmp, 'plain'));
  spaced = install(path.join(tmp, 'my "quoted" app'));
  urlish = install(path.join(tmp, 'app #1 100%'));
  app = path.join(tmp, 'app.cjs');
  fs.writeFileSync(
    app,
    `process.stdout.write(JSON.stringify({ pid: process.pid, argv: process.argv.slice(2), NODE_OPTIONS: process.env.NODE_OPTIONS ?? null }));
process.exitCode = Number(process.env.APP_EXIT ?? 0);
`,
  );
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const shells = ['dash', 'bash'].filter((s) => spawnSync(s, ['-c', 'exit 0']).status === 0);

function entry(shell: string | null, inst: Install, args: string[], env: NodeJS.ProcessEnv = {}) {
  fs.rmSync(inst.log, { force: true });
  const base: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(NODE)}:${process.env.PATH}` };
  delete base.NODE_OPTIONS;
  delete base.AIM_API_KEY;
  delete base.AIM_LOG_LEVEL;
  delete base.AIM_DISABLED;
  const options = { env: { ...base, ...env }, encoding: 'utf8' as const, cwd: tmp };
  return shell === null ? spawnSync(inst.bin, args, options) : spawnSync(shell, [inst.bin, ...args], options);
}

it('shellcheck finds nothing (POSIX sh, dash, bash)', () => {
  const which = spawnSync('shellcheck', ['--version']);
  if (which.error) {
    // shellcheck is a dev tool (apt-get install shellcheck); without it there is nothing to check here.
    console.warn('shellcheck not installed: skipped');
    return;
  }
  for (const dialect of ['sh', 'dash', 'bash']) {
    const r = spawnSync('shellcheck', ['-s', dialect, SCRIPT], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
});

it('is executable and starts with #!/bin/sh', () => {
  expect(fs.readFileSync(SCRIPT, 'utf8').startsWith('#!/bin/sh\n')).toBe(true);
  expect(fs.statSync(SCRIPT).mode & 0o111).toBe(0o111);
});

describe.each([...shells, null])('under %s', (shell) => {
  it('preloads the register through the npm .bin symlink and execs the command', () => {
    const r = entry(shell, plain, [NODE, app, 'a b', '*'], { AIM_API_KEY: KEY });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.argv).toEqual(['a b', '*']);
    expect(out.NODE_OPTIONS).toBe(`--require ${plain.register}`);
    expect(loads(plain)).toEqual([{ pid: out.pid, main: app }]);
    // exec: the app is the process we started, nothing stays in between.
    expect(out.pid).toBe(r.pid);
  });

  it('keeps NODE_OPTIONS and quotes a path with spaces and quotes', () => {
    const before = '--max-old-space-size=128 --stack-trace-limit=20';
    const r = entry(shell, spaced, [NODE, app], { AIM_API_KEY: KEY, NODE_OPTIONS: before });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.NODE_OPTIONS).toBe(`${before} --require ${quoted(spaced.register)}`);
    expect(loads(spaced)).toEqual([{ pid: out.pid, main: app }]);
  });

  it('keeps a path with URL characters (#, %) a path: --require reads no URLs (quoted for its spaces)', () => {
    const r = entry(shell, urlish, [NODE, app], { AIM_API_KEY: KEY });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.NODE_OPTIONS).toBe(`--require ${quoted(urlish.register)}`);
    expect(loads(urlish)).toEqual([{ pid: out.pid, main: app }]);
  });

  it('leaves require hooks working for the main file (node -r ts-node/register app.ts style)', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'hooked-'));
    // The main file's scope must be CommonJS (the repo's own package.json says "type": "module").
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "commonjs" }');
    const hook = path.join(dir, 'hook.cjs');
    fs.writeFileSync(
      hook,
      `require.extensions['.txtjs'] = (m, file) => m._compile(require('fs').readFileSync(file, 'utf8').replace('#hook', ''), file);\n`,
    );
    const main = path.join(dir, 'main.txtjs');
    fs.writeFileSync(main, '#hook\nprocess.stdout.write("compiled by the hook");\n');
    const r = entry(shell, plain, [NODE, '-r', hook, main], { AIM_API_KEY: KEY });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('compiled by the hook');
    expect(loads(plain)).toEqual([{ pid: r.pid, main }]);
  });

  it('does not add the agent twice', () => {
    const show = ['sh', '-c', 'printf "%s" "$NODE_OPTIONS"'];
    for (const [inst, existing] of [
      [plain, '--import aim/register'],
      [plain, '--import=aim/register --x'],
      [plain, '-r aim/register'],
      [plain, `--require ${plain.register}`],
      [plain, `--require=${plain.register} --x`],
      [spaced, `--require ${quoted(spaced.register)}`],
      [urlish, `--require ${quoted(urlish.register)}`],
      // register.mjs, the ESM door, is the same agent: as a path, quoted, or as a file: URL.
      [plain, `--import ${plain.esm}`],
      [plain, `--import=${plain.esm}`],
      [spaced, `--import ${quoted(spaced.esm)}`],
      [urlish, `--import ${pathToFileURL(urlish.esm).href}`],
    ] as const) {
      const r = entry(shell, inst, show, { AIM_API_KEY: KEY, NODE_OPTIONS: existing });
      expect(r.stdout).toBe(existing);
    }
  });

  it('passes the exit code through', () => {
    const r = entry(shell, plain, [NODE, app], { AIM_API_KEY: KEY, APP_EXIT: '9' });
    expect(r.status).toBe(9);
  });

  it('warns once on stderr when AIM_API_KEY is missing, and not when disabled or silent', () => {
    const r = entry(shell, plain, [NODE, app]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^aim warn AIM-E003: AIM_API_KEY is not set.*\n$/);
    expect(JSON.parse(r.stdout).NODE_OPTIONS).toBe(`--require ${plain.register}`);
    expect(entry(shell, plain, [NODE, app], { AIM_LOG_LEVEL: 'silent' }).stderr).toBe('');
    expect(entry(shell, plain, [NODE, app], { AIM_DISABLED: 'true' }).stderr).toBe('');
  });

  it('runs node for a script name or a node option, like the node images', () => {
    const r = entry(shell, plain, [path.basename(app), 'x'], { AIM_API_KEY: KEY });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).argv).toEqual(['x']);
    const e = entry(shell, plain, ['-e', 'process.stdout.write("via node -e")'], { AIM_API_KEY: KEY });
    expect(e.stdout).toBe('via node -e');
    const sh = entry(shell, plain, ['sh', '-c', 'printf "%s" "$NODE_OPTIONS"'], { AIM_API_KEY: KEY });
    expect(sh.stdout).toBe(`--require ${plain.register}`);
  });

  it('prints usage and exits 2 without a command', () => {
    const r = entry(shell, plain, []);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('usage: aim-entrypoint');
  });

  it('still runs the app when the agent is missing, with one warning', () => {
    const broken = install(path.join(tmp, `broken-${shell ?? 'self'}`), false);
    const r = entry(shell, broken, [NODE, app], { AIM_API_KEY: KEY });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^aim warn AIM-E002: the agent is missing.*\n$/);
    expect(JSON.parse(r.stdout).NODE_OPTIONS).toBe(null);
  });
});

it('lets the app receive SIGTERM itself (exec, no process in between)', async () => {
  const graceful = path.join(tmp, 'graceful.cjs');
  fs.writeFileSync(
    graceful,
    gracefulApp('graceful'),
  );
  const child = spawn(plain.bin, [NODE, graceful], {
    env: { ...process.env, AIM_API_KEY: KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { out, code } = await terminateWhenReady(child);
  expect(out).toBe('ready\ngraceful\n');
  expect(code).toBe(0);
});
