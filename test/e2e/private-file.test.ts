/**
 * Where aim keeps files, in real child processes: a directory under /proc (Node's recursive mkdir
 * loops there for ever) and a user who is not root (simulated with the child's uid/gid).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, node, registerMjs } from '../helpers/agent-run.js';
import { tempDir } from '../helpers/collector.js';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
/**
 * Whether uid `nobody` can run the Node under test on aim's files at all: a Node kept under
 * root's 0700 home (CI's extra Node versions) or a checkout there cannot be, and then the
 * test would measure that, not aim.
 */
const nobodyCanRun =
  asRoot &&
  spawnSync(node, ['-e', 'for (const f of process.argv.slice(1)) require("fs").accessSync(f)', registerMjs, fixture('core/capabilities.cjs')], {
    uid: NOBODY,
    gid: NOBODY,
    cwd: '/',
    timeout: 20_000,
  }).status === 0;

describe('AIM_OUTPUT where it cannot be', () => {
  it('under /proc: the app runs, says one warning, and exits', () => {
    const result = spawnSync(node, ['--import', registerMjs, fixture('core/capabilities.cjs')], {
      env: { PATH: process.env.PATH, AIM_OUTPUT: '/proc/aim-nowhere/out' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^aim warn AIM-O001: cannot write the inventory to AIM_OUTPUT/);
  });
});

describe.skipIf(!nobodyCanRun)('as a user who is not root', () => {
  it('an AIM_OUTPUT the user cannot write, and a home under /proc: one warning, the app is untouched', () => {
    const out = tempDir();
    chmodSync(out, 0o755); // root's: nobody cannot write here
    const result = spawnSync(node, ['--import', registerMjs, fixture('core/capabilities.cjs')], {
      env: { PATH: process.env.PATH, AIM_OUTPUT: out, HOME: '/proc/aim-nowhere' },
      encoding: 'utf8',
      timeout: 20_000,
      uid: NOBODY,
      gid: NOBODY,
      cwd: '/',
    });
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^aim warn AIM-O001: cannot write the inventory to AIM_OUTPUT[^\n]*\n$/);
  });
});
