/**
 * Spawns inside libraries (defect class 6). The cause was the loader logic: a path the module
 * loader had resolved but not read (require.resolve of a bundled binary) was taken, at its first
 * use, for the loader reading it, and child_process calls were skipped. One test per shape.
 */
import { describe, expect, it } from 'vitest';
import { capability, fixture, inventoryOf, modes, runFixture } from '../helpers/agent-run.js';

describe.each(modes)('spawns inside libraries through %s', (mode) => {
  it.each(['esbuild-transform.mjs', 'esbuild-transform.cjs'])("esbuild's transform() starting its service (%s)", async (name) => {
    const file = fixture('fidelity', name);
    const result = await runFixture(file, { mode });
    expect(result.stdout.toString(), result.stderr).toBe('transformed\n');
    const exec = capability(inventoryOf(result, file), 'system:exec');
    expect(exec?.strength).toBe('used');
    expect(exec!.evidence[0]).toMatchObject({ api: 'child_process.spawn', who: 'esbuild' });
    expect(exec!.evidence[0]!.location).toContain(name);
  });

  it('the program spawning a file it found with require.resolve', async () => {
    const file = fixture('fidelity', 'spawn-resolved.cjs');
    const result = await runFixture(file, { mode });
    expect(result.stdout.toString()).toBe('hi\n');
    const exec = capability(inventoryOf(result, file), 'system:exec');
    expect(exec?.evidence[0]).toMatchObject({ api: 'child_process.execFileSync', who: 'app' });
  });
});
