/**
 * compat/run.mjs (npm run compat): its TAP counting, on real TAP from the runners it uses (tape and
 * node's test runner, generated here by running them, not typed in); the NODE_OPTIONS it runs the
 * agent with, which must be what `aim run` sets (src/cli/node-options.ts); and what --only selects.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain .mjs script without types
import { parseTap, PROGRAMS, selected, withAgent } from '../../compat/run.mjs';
import { withAgentPreloaded } from '../../src/cli/node-options.js';

const NODE = process.env.AIM_TEST_NODE ?? process.execPath;
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aim-compat-tap-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Tap = { tests: number; pass: number; fail: number; failing: string[] };

describe('parseTap', () => {
  it("counts node's test runner TAP, nested tests and failures by name", () => {
    const file = path.join(dir, 'sample.test.cjs');
    fs.writeFileSync(
      file,
      `const { test, describe, it } = require('node:test');
test('passes', () => {});
test('fails', () => { throw new Error('no'); });
test('skipped', { skip: true }, () => {});
describe('group', () => { it('inner ok', () => {}); it('inner bad', () => { throw new Error('x'); }); });
`,
    );
    const r = spawnSync(NODE, ['--test', '--test-reporter=tap', file], { encoding: 'utf8' });
    const tap = parseTap(r.stdout) as Tap;
    expect(tap.tests).toBe(5);
    expect(tap.pass).toBe(2);
    expect(tap.fail).toBe(2);
    expect(tap.failing).toEqual(expect.arrayContaining(['fails', 'inner bad']));
    expect(tap.failing).not.toContain('skipped');
  });

  it('counts plain TAP without a summary', () => {
    const tap = parseTap('TAP version 13\nok 1 - a\nnot ok 2 - b\nok 3 - c # SKIP later\n1..3\n') as Tap;
    expect(tap).toMatchObject({ tests: 3, pass: 2, fail: 1, failing: ['b'] });
  });

  it('counts the tape summary', () => {
    const tap = parseTap('TAP version 13\n# t\nok 1 x\nok 2 y\nok 3 y2\nnot ok 4 z\n\n1..4\n# tests 4\n# pass  2\n# fail  1\n') as Tap;
    expect(tap).toMatchObject({ tests: 4, pass: 2, fail: 1, failing: ['z'] }); // the summary wins
  });
});

describe('the agent in NODE_OPTIONS', () => {
  const dirs = ['/opt/aim/dist', '/my apps/aim/dist', '/srv/app #1 100%/dist', '/srv/"q"/dist', '/srv/a?b/dist'];
  it('is written as aim run writes it, for both doors (--require .cjs, --import .mjs)', () => {
    for (const d of dirs) {
      for (const name of ['register.cjs', 'register.mjs']) {
        const register = path.posix.join(d, name);
        for (const existing of [undefined, '--max-old-space-size=64']) {
          const env = existing === undefined ? {} : { NODE_OPTIONS: existing };
          expect(withAgent(existing, register)).toBe(withAgentPreloaded(env, register).NODE_OPTIONS);
        }
      }
    }
    expect(withAgent(undefined, '/opt/aim/dist/register.cjs')).toBe('--require /opt/aim/dist/register.cjs');
  });

  it('is preloaded by node from what it writes (a path with spaces, # and %)', () => {
    const d = fs.mkdtempSync(path.join(dir, 'app #1 100% '));
    const log = path.join(dir, 'preloaded.log');
    fs.writeFileSync(path.join(d, 'register.cjs'), `require('node:fs').appendFileSync(${JSON.stringify(log)}, 'cjs ');\n`);
    fs.writeFileSync(path.join(d, 'register.mjs'), `import fs from 'node:fs'; fs.appendFileSync(${JSON.stringify(log)}, 'mjs ');\n`);
    for (const name of ['register.cjs', 'register.mjs']) {
      const env = { ...process.env, NODE_OPTIONS: withAgent(undefined, path.join(d, name)) };
      const r = spawnSync(NODE, ['-e', '0'], { env, encoding: 'utf8' });
      expect(r.stderr).toBe('');
    }
    expect(fs.readFileSync(log, 'utf8')).toBe('cjs mjs ');
  });
});

describe('--only', () => {
  type Selection = { suites: { name: string }[]; programs: { name: string; group: string; aimRun?: boolean }[] };
  it('selects the ts-node programs alone, among them `aim run -- node -r ts-node/register app.ts`', () => {
    const only = selected(['ts-node']) as Selection;
    expect(only.suites).toEqual([]);
    expect(only.programs.length).toBeGreaterThanOrEqual(2);
    expect(only.programs.every((p) => p.group === 'ts-node')).toBe(true);
    expect(only.programs.some((p) => p.aimRun)).toBe(true);
  });
  it('selects suites by name, and everything without it', () => {
    const qs = selected(['qs']) as Selection;
    expect(qs.suites.map((s) => s.name)).toEqual(['qs']);
    expect(qs.programs).toEqual([]);
    const all = selected(null) as Selection;
    expect(all.programs).toHaveLength((PROGRAMS as unknown[]).length);
    expect(all.suites.length).toBeGreaterThan(1);
  });
});
