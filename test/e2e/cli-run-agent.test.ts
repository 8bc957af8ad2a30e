/**
 * `aim run` and `aim-entrypoint` with the real, built agent (dist/, `npx tsup`; `npm test` builds
 * first): the app and the node processes it starts each write an inventory (AIM_OUTPUT), and the
 * app's own output and exit code are untouched. Both preload dist/register.cjs with --require, so a
 * require hook that compiles the main file (ts-node style, fixtures/compat/require-hook) still works.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const NODE = process.env.AIM_TEST_NODE ?? process.execPath;
const CLI = path.resolve('dist/cli.mjs');
const REGISTER = path.resolve('dist/register.cjs');
const HOOKED = path.resolve('fixtures/compat/require-hook');
let dir: string;
let out: string;
let app: string;

interface Inventory {
  process: { pid: number; ppid: number; entry?: string };
  capabilities: { id: string }[];
}

function inventories(): Inventory[] {
  return fs.readdirSync(out).map((f) => JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')) as Inventory);
}

beforeAll(() => {
  if (!fs.existsSync(CLI) || !fs.existsSync(REGISTER)) throw new Error('dist/ is missing: run `npx tsup` first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aim-run-e2e-'));
  app = path.join(dir, 'app.cjs');
  fs.writeFileSync(
    app,
    `const fs = require('node:fs');
const cp = require('node:child_process');
fs.readFileSync(__filename);
const child = cp.execFileSync(process.execPath, ['-e', 'process.stdout.write("child " + process.pid)']);
process.stdout.write('app ' + process.pid + ' ' + child + '\\n');
process.exitCode = 3;
`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  out = fs.mkdtempSync(path.join(dir, 'out-'));
});

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, AIM_OUTPUT: out, AIM_LOG_LEVEL: 'error', ...extra };
  delete e.NODE_OPTIONS;
  delete e.AIM_API_KEY;
  return e;
}

function checkApp(stdout: string, status: number | null) {
  expect(status).toBe(3);
  const match = /^app (\d+) child (\d+)\n$/.exec(stdout);
  expect(match).not.toBeNull();
  const [appPid, childPid] = [Number(match?.[1]), Number(match?.[2])];
  const all = inventories();
  const mine = all.find((i) => i.process.pid === appPid);
  expect(mine?.process.entry).toBe(app);
  expect(mine?.capabilities.map((c) => c.id)).toEqual(expect.arrayContaining(['file:read', 'system:exec']));
  // NODE_OPTIONS reached the grandchild too.
  expect(all.find((i) => i.process.pid === childPid)?.process.ppid).toBe(appPid);
}

/** The require-hook fixture's output, and its process's inventory. */
function checkHooked(r: { stdout: string; stderr: string; status: number | null; pid: number }, main: string) {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toBe('compiled by the hook true child\n');
  const mine = inventories().find((i) => i.process.entry === main);
  expect(mine?.capabilities.map((c) => c.id)).toEqual(expect.arrayContaining(['file:read', 'system:exec']));
}

describe('with the built agent', () => {
  it('aim run preloads it in the app and in the node processes the app starts', () => {
    const r = spawnSync(NODE, [CLI, 'run', NODE, app], { env: env(), encoding: 'utf8', cwd: dir });
    expect(r.stderr).toBe('');
    checkApp(r.stdout, r.status);
  });

  it('aim run -- node -r <hook> main: the require hook still compiles the main file (ts-node style)', () => {
    const main = path.join(HOOKED, 'main.txtjs');
    const r = spawnSync(NODE, [CLI, 'run', '--', NODE, '-r', './hook.cjs', main], { env: env(), encoding: 'utf8', cwd: HOOKED });
    checkHooked(r, main);
  });

  it('aim-entrypoint (npm-style install, bin linked from node_modules/.bin) preloads it too', () => {
    const project = fs.mkdtempSync(path.join(dir, 'project-'));
    fs.mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
    fs.symlinkSync(path.resolve('.'), path.join(project, 'node_modules', 'aim'), 'dir');
    const bin = path.join(project, 'node_modules', '.bin', 'aim-entrypoint');
    fs.symlinkSync('../aim/bin/aim-entrypoint', bin);
    for (const shell of ['dash', 'bash']) {
      fs.rmSync(out, { recursive: true, force: true });
      fs.mkdirSync(out);
      const r = spawnSync(shell, [bin, NODE, app], {
        env: env(),
        encoding: 'utf8',
        cwd: project,
      });
      expect(r.stderr).toBe(''); // AIM_LOG_LEVEL=error: no missing-key warning either
      checkApp(r.stdout, r.status);

      fs.rmSync(out, { recursive: true, force: true });
      fs.mkdirSync(out);
      const main = path.join(HOOKED, 'main.txtjs');
      const hooked = spawnSync(shell, [bin, NODE, '-r', './hook.cjs', main], { env: env(), encoding: 'utf8', cwd: HOOKED });
      checkHooked(hooked, main);
    }
  });
});
