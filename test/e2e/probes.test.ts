/**
 * Metadata probes are not reads (defect class 7): existsSync, stat, lstat, access and realpath
 * are `probe` evidence with the path looked at, never `used`, so never a capability granted.
 */
import { describe, expect, it } from 'vitest';
import { capability, fixture, inventoryOf, modes, runFixture } from '../helpers/agent-run.js';

describe.each(modes)('metadata probes through %s', (mode) => {
  it('records probes with their paths and never as use', async () => {
    const file = fixture('fidelity', 'probes.cjs');
    const result = await runFixture(file, { mode });
    expect(result.stdout.toString()).toBe('probed\n');
    const read = capability(inventoryOf(result, file), 'file:read');
    expect(read?.strength).toBe('probe');
    expect(read!.evidence.every((e) => e.strength === 'probe')).toBe(true);
    const byApi = new Map(read!.evidence.map((e) => [e.api, e.details?.path]));
    expect(byApi.get('fs.existsSync')).toBe(fixture('fidelity', 'no-such-config.json'));
    expect(byApi.get('fs.statSync')).toBe(fixture('fidelity', 'no-such-config.json'));
    expect(byApi.get('fs.accessSync')).toBe(file);
    expect(byApi.get('fs.lstatSync')).toBe(fixture('fidelity'));
    expect(byApi.get('fs.realpathSync')).toBe(fixture('fidelity'));
    expect(byApi.get('fs.promises.stat')).toBe(file);
  });

  it("a PATH lookup by cross-spawn is a probe, the spawn is use", async () => {
    const file = fixture('fidelity', 'cross-spawn.cjs');
    const result = await runFixture(file, { mode });
    expect(result.stdout.toString()).toBe('exit 0\n');
    const inventory = inventoryOf(result, file);
    expect(capability(inventory, 'system:exec')?.strength).toBe('used');
    expect(capability(inventory, 'system:exec')!.evidence.some((e) => e.who === 'cross-spawn')).toBe(true);
    expect(capability(inventory, 'file:read')?.strength ?? 'none').not.toBe('used');
  });
});
