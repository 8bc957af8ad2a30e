/**
 * The TAP counting of compat/run.mjs (npm run compat), on real TAP from the runners it uses: tape
 * and node's test runner (generated here by running them, not typed in).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain .mjs script without types
import { parseTap } from '../compat/run.mjs';

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
