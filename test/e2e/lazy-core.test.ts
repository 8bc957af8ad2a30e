/**
 * The startup bundle observes; inference and the inventory (dist/core.cjs) load only when
 * something reads the inventory (src/register/agent.ts). Checked from inside the program, in
 * every way the agent comes in.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, modes, repo, runFixture } from '../helpers/agent-run.js';

// runFixture sets AIM_OUTPUT to a directory of its own unless told otherwise.
const run = (mode: (typeof modes)[number], sink: boolean) =>
  runFixture(fixture('core/lazy-core.cjs'), { mode, env: { ...(!sink && { AIM_OUTPUT: undefined }), API_MODULE: join(repo, 'dist/index.cjs') }, cwd: fixture('core') });

describe('the inventory bundle loads when something reads the inventory, never at startup', () => {
  it.each(modes)('no sink: not after the first tick either; the API loads it, with what came before (%s)', async (mode) => {
    const result = await run(mode, false);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.toString())).toEqual({ atFirstLine: false, afterFirstTick: false, afterApi: true, readSeenWhenRead: true });
  });

  it.each(modes)('AIM_OUTPUT: after the first tick, and the file has what came before (%s)', async (mode) => {
    const result = await run(mode, true);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.toString())).toEqual({ atFirstLine: false, afterFirstTick: true, afterApi: true, readSeenWhenRead: true });
    expect(result.inventories).toHaveLength(1);
    expect(result.inventories[0]!.capabilities.map((c) => c.id)).toContain('file:read');
  });
});
