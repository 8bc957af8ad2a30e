import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, modes, repo, runFixture, type Mode } from './helpers/agent-run.js';

const runApiFixture = (mode: Mode) =>
  runFixture(fixture('core/api.cjs'), {
    mode,
    // No sink: AIM_OUTPUT unset, no key.
    env: { AIM_OUTPUT: undefined, API_MODULE: join(repo, 'dist/index.cjs') },
    cwd: fixture('core'),
  });

describe('the programmatic API', () => {
  it.each(modes)('lists what loaded after startup, with no sink configured (%s)', async (mode) => {
    const result = await runApiFixture(mode);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.toString())).toEqual({ packages: ['fake-cjs@1.0.0'], heard: true });
  });

  it('answers undefined without the agent', async () => {
    const result = await runApiFixture('none');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.toString())).toEqual({ packages: null, heard: false });
  });
});
