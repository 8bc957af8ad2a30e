/**
 * Real programs under the built agent (dist/; `npm test` builds first), each run plain and with the
 * agent: same output and exit code, and the agent's inventory says what it saw. The agent goes in
 * through both doors: on the command line as `--import dist/register.mjs` (what users write:
 * `node --import aim/register app.js`), and in NODE_OPTIONS as `--require dist/register.cjs` (what
 * `aim run` and aim-entrypoint set: any --import there would send the main file through Node's ES
 * module loader, which ignores require hooks such as ts-node's).
 * Fixtures: fixtures/compat/. Node from AIM_TEST_NODE (default: this node).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeIn, runsHere, stripTypesFlags } from '../helpers/node.js';

const NODE = process.env.AIM_TEST_NODE ?? process.execPath;
const REGISTER = path.resolve('dist/register.mjs');
const REGISTER_CJS = path.resolve('dist/register.cjs');
const FIXTURES = path.resolve('fixtures/compat');
const VITEST = path.resolve('node_modules/vitest/vitest.mjs');
let tmp: string;
let out: string;


interface Inventory {
  process: { pid: number; argv?: string[]; entry?: string };
  agent: { hookMode?: string; visibility?: string };
  capabilities: { id: string }[];
}

function inventories(): Inventory[] {
  return fs.readdirSync(out).map((f) => JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')) as Inventory);
}

function envFor(agent: boolean, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of Object.keys(env)) if (k.startsWith('AIM_') || k === 'NODE_OPTIONS' || k.startsWith('VITEST')) delete env[k];
  if (agent) env.AIM_OUTPUT = out;
  Object.assign(env, extra);
  return env;
}

/**
 * Runs `args` with node, plain and with the agent, and returns both: `--import <register.mjs>` on the
 * command line, or with `viaNodeOptions` NODE_OPTIONS=--require <register.cjs> (as `aim run` sets it).
 */
function both(args: string[], options: { viaNodeOptions?: boolean; cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const run = (agent: boolean) => {
    const extra = { ...options.env };
    let argv = args;
    if (agent && options.viaNodeOptions) extra.NODE_OPTIONS = `--require ${REGISTER_CJS}`;
    else if (agent) argv = ['--import', REGISTER, ...args];
    return spawnSync(NODE, argv, { env: envFor(agent, extra), encoding: 'utf8', cwd: options.cwd ?? tmp, timeout: 120_000 });
  };
  return { plain: run(false), agent: run(true) };
}

const ids = (inv: Inventory | undefined) => inv?.capabilities.map((c) => c.id) ?? [];

beforeAll(() => {
  for (const file of [REGISTER, REGISTER_CJS]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative('.', file)} is missing: run \`npx tsup\` first`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aim-compat-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => {
  out = fs.mkdtempSync(path.join(tmp, 'out-'));
});

describe('real programs under the agent', () => {
  it("node's test runner under NODE_OPTIONS: same results, the test file's process is observed", () => {
    const file = path.join(FIXTURES, 'node-test', 'sample.test.cjs');
    const { plain, agent } = both(['--test', '--test-reporter=tap', file], { viaNodeOptions: true });
    const summary = (s: string) => s.split('\n').filter((l) => /^# (tests|pass|fail|skipped|cancelled) /.test(l));
    expect(plain.status).toBe(0);
    expect(agent.status).toBe(0);
    expect(summary(agent.stdout)).toEqual(summary(plain.stdout));
    expect(summary(plain.stdout)).toContain('# pass 4');
    // The runner (the process we started) runs no test itself: the test file runs in its child.
    const all = inventories();
    const testFile = all.find((i) => i.process.pid !== agent.pid && i.process.argv?.includes(file));
    expect(ids(testFile)).toContain('file:read');
    // Under --require the runner is observed too (under --import it is not: Node runs --import
    // preloads only for a main entry, --require ones in every process); it is not credited with
    // what the test file did.
    const runner = all.find((i) => i.process.pid === agent.pid);
    expect(runner).toBeDefined();
    expect(ids(runner)).not.toContain('file:read');
  });

  it('vitest under NODE_OPTIONS: same results', () => {
    const root = path.join(FIXTURES, 'vitest-project');
    const args = [VITEST, 'run', '--root', root, '--reporter=json'];
    const { plain, agent } = both(args, { viaNodeOptions: true, cwd: root });
    const counts = (s: string) => {
      const j = JSON.parse(s.slice(s.indexOf('{'))) as { numPassedTests: number; numFailedTests: number };
      return [j.numPassedTests, j.numFailedTests];
    };
    expect(plain.status).toBe(0);
    expect(agent.status).toBe(0);
    expect(counts(plain.stdout)).toEqual([2, 0]);
    expect(counts(agent.stdout)).toEqual(counts(plain.stdout));
    expect(inventories().length).toBeGreaterThan(0);
  });

  it('a require hook that compiles the main file (ts-node style) under NODE_OPTIONS: same output, observed', () => {
    const dir = path.join(FIXTURES, 'require-hook');
    const main = path.join(dir, 'main.txtjs');
    const { plain, agent } = both(['-r', './hook.cjs', main], { viaNodeOptions: true, cwd: dir });
    expect(plain.stdout).toBe('compiled by the hook true child\n');
    expect(agent.stdout).toBe(plain.stdout);
    expect(agent.status).toBe(0);
    expect(agent.stderr).toBe('');
    const mine = inventories().find((i) => i.process.pid === agent.pid);
    expect(mine?.process.entry).toBe(main);
    expect(ids(mine)).toEqual(expect.arrayContaining(['file:read', 'system:exec']));
  });

  it('worker_threads: the app works; the agent stays on the main thread (one inventory)', () => {
    const app = path.join(FIXTURES, 'worker-app.cjs');
    const { plain, agent } = both([app]);
    expect(plain.stdout).toBe('worker done\n');
    expect(agent.stdout).toBe(plain.stdout);
    expect(agent.status).toBe(0);
    expect(agent.stderr).toBe('');
    const all = inventories();
    expect(all).toHaveLength(1);
    expect(all[0]?.process.pid).toBe(agent.pid);
  });

  it('an esbuild-bundled app: works, and the builtins it uses are still seen', () => {
    const bundle = path.join(tmp, 'bundle.cjs');
    buildSync({
      entryPoints: [path.join(FIXTURES, 'bundle', 'app.cjs')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      logLevel: 'error',
    });
    const { plain, agent } = both([bundle]);
    expect(plain.stdout).toBe('hello from the bundle\n');
    expect(agent.stdout).toBe(plain.stdout);
    expect(agent.status).toBe(0);
    const mine = inventories().find((i) => i.process.pid === agent.pid);
    expect(ids(mine)).toEqual(expect.arrayContaining(['file:read', 'system:exec']));
    expect(mine?.agent.visibility).toBe('partial:bundled');
  });

  it.runIf(runsHere('compat/strip-types/app.ts'))('TypeScript by type stripping (Node >= 22.6)', () => {
    const app = path.join(FIXTURES, 'strip-types', 'app.ts');
    const flags = stripTypesFlags;
    const { plain, agent } = both([...flags, '--no-warnings', app]);
    expect(plain.stdout).toBe('typescript ok true\n');
    expect(agent.stdout).toBe(plain.stdout);
    expect(agent.status).toBe(0);
    const mine = inventories().find((i) => i.process.pid === agent.pid);
    expect(ids(mine)).toEqual(expect.arrayContaining(['file:read', 'system:exec']));
  });

  it('the permission model denies our file writes: the app runs, the agent warns once', () => {
    const app = path.join(FIXTURES, 'permission-app.cjs');
    const flag = nodeIn('>=22') ? '--permission' : '--experimental-permission';
    const { plain, agent } = both([flag, '--allow-fs-read=*', '--no-warnings', app]);
    expect(plain.stdout).toBe('permission app true\n');
    expect(agent.stdout).toBe(plain.stdout);
    expect(agent.status).toBe(plain.status);
    const aimLines = agent.stderr.split('\n').filter((l) => l.startsWith('aim '));
    expect(aimLines).toHaveLength(1);
    expect(aimLines[0]).toMatch(/^aim warn AIM-\w+: /);
    expect(agent.stderr.replace(/^aim .*\n/gm, '')).toBe(plain.stderr);
  });
});
