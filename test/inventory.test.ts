import { describe, expect, it } from 'vitest';
import { Inventory, mergeSnapshots, type Evidence } from '../src/inventory/index.js';

function inventory(pid = 1, launcher?: string): Inventory {
  return new Inventory(
    { pid, ppid: 0, argv: ['node', 'app.js'], cwd: '/', node: 'v20', ...(launcher ? { launcher } : {}) },
    { version: '0', hookMode: 'sync', visibility: 'full', preloadMs: 1, internalErrors: 0 },
    (dir) => (dir === '/n/pg' ? '8.11.0' : undefined),
  );
}
const used = (api: string, who = 'app'): Evidence => ({ strength: 'used', api, who, firstSeen: '2026-01-01T00:00:00.000Z' });
const loaded = (api: string, who: string): Evidence => ({ strength: 'loaded', api, who, firstSeen: '2026-01-01T00:00:00.000Z' });

describe('the inventory', () => {
  it('deduplicates evidence and bumps the revision only on change', () => {
    const inv = inventory();
    const seen: number[] = [];
    inv.onChange((i) => seen.push(i.revision));
    expect(inv.addEvidence('file:read', used('fs.readFileSync'), 95)).toBe(true);
    expect(inv.addEvidence('file:read', used('fs.readFileSync'), 95)).toBe(false);
    expect(inv.addEvidence('file:read', used('fs.readFileSync', 'pino'), 95)).toBe(true);
    expect(seen).toEqual([1, 2]);
    expect(inv.snapshot().capabilities[0]!.evidence).toHaveLength(2);
  });

  it('turns loaded into used, and keeps the highest confidence', () => {
    const inv = inventory();
    inv.addEvidence('ai:model_call', loaded('import openai', 'openai'), 30);
    expect(inv.snapshot().capabilities[0]).toMatchObject({ strength: 'loaded', confidence: 30 });
    inv.addEvidence('ai:model_call', used('fetch POST https://api.openai.com', 'openai'), 90);
    expect(inv.snapshot().capabilities[0]).toMatchObject({ strength: 'used', confidence: 90 });
  });

  it('reads package versions lazily, once', () => {
    const inv = inventory();
    inv.addPackage({ name: 'pg', dir: '/n/pg' });
    inv.addPackage({ name: 'pg' });
    inv.addPackage({ name: 'left-pad' });
    expect(inv.snapshot().packages).toEqual([{ name: 'left-pad' }, { name: 'pg', version: '8.11.0' }]);
  });

  it('keeps one MCP server per key, and can drop one', () => {
    const inv = inventory();
    const base = { key: 'npx x', name: 'x', transport: 'stdio' as const, detectionMethod: 'sdk_runtime' as const, confidence: 90 };
    inv.upsertServer({ ...base, tools: ['a'] });
    const revision = inv.revision;
    inv.upsertServer({ ...base, tools: ['a'] });
    expect(inv.revision).toBe(revision);
    inv.upsertServer({ ...base, tools: ['a', 'b'] });
    expect(inv.snapshot().mcpServers).toEqual([{ ...base, tools: ['a', 'b'] }]);
    inv.removeServer('npx x');
    expect(inv.snapshot().mcpServers).toEqual([]);
  });

  it('merges a process tree by capability, leaving launchers out', () => {
    const app = inventory(10);
    app.addEvidence('file:read', used('fs.readFileSync'), 95);
    const child = inventory(11);
    child.addEvidence('file:read', loaded('import fs-extra', 'fs-extra'), 30);
    child.addEvidence('system:exec', used('child_process.spawn'), 95);
    const npm = inventory(9, 'npm');
    npm.addEvidence('file:write', used('fs.writeFileSync'), 95);
    const merged = mergeSnapshots([app.snapshot(), child.snapshot(), npm.snapshot()]);
    expect(merged.processes.map((p) => p.pid)).toEqual([9, 10, 11]);
    expect(merged.capabilities.map((c) => [c.id, c.strength, c.pids])).toEqual([
      ['file:read', 'used', [10, 11]],
      ['system:exec', 'used', [11]],
    ]);
  });
});
