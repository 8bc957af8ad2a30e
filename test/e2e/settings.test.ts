/**
 * The settings the agent reads itself at startup: the startup line (AIM_LOG_LEVEL=info,
 * AIM_STARTUP_LOG), AIM_DISABLED_HOOKS, and a kill switch that is not a boolean. Real fixture
 * programs under --import, --require and NODE_OPTIONS.
 */
import { describe, expect, it } from 'vitest';
import { capability, fixture, inventoryOf, modes, runFixture } from '../helpers/agent-run.js';

const app = fixture('core/capabilities.cjs');

describe.each(modes)('startup settings (%s)', (mode) => {
  it('says nothing at the default level, and one startup line at info', async () => {
    const quiet = await runFixture(app, { mode });
    expect(quiet.stderr).toBe('');
    const info = await runFixture(app, { mode, env: { AIM_LOG_LEVEL: 'info' } });
    expect(info.code).toBe(0);
    const lines = info.stderr.split('\n').filter((l) => l.includes('AIM-S001'));
    // One per process: under NODE_OPTIONS the fixture's child node process has its own.
    expect(lines).toHaveLength(info.inventories.length);
    expect(new Set(lines.map((l) => /pid (\d+)/.exec(l)?.[1])).size).toBe(lines.length);
    expect(lines[0]).toMatch(/^aim info AIM-S001: aim \d+\.\d+\.\d+\S* on Node v\d+\.\d+\.\d+ \(pid \d+, --(import|require)\); hooks (sync|cjs-only|async), visibility \S+; reports: AIM_OUTPUT \S+; .*started in [\d.]+ ms$/);
  });

  it('names where reports go without the key, and what is off', async () => {
    const key = 'aim_live_startuplinesecretvalue0123456789';
    const result = await runFixture(app, {
      mode,
      env: { AIM_LOG_LEVEL: 'debug', AIM_API_KEY: key, AIM_URL: 'http://user:pw@127.0.0.1:9/base', AIM_AGENT_ID: 'bot', AIM_DISABLED_HOOKS: 'mcp,net', AIM_FLUSH_TIMEOUT_MS: '0' },
    });
    const line = result.stderr.split('\n').find((l) => l.includes('AIM-S001'))!;
    expect(line).toContain('reports: AIM at http://127.0.0.1:9 as agent "bot"');
    expect(line).toContain('off: hooks mcp,net (AIM_DISABLED_HOOKS)');
    expect(result.stderr).not.toContain(key);
    expect(result.stderr).not.toContain('pw@');
  });

  it('AIM_STARTUP_LOG=false turns the line off', async () => {
    const result = await runFixture(app, { mode, env: { AIM_LOG_LEVEL: 'info', AIM_STARTUP_LOG: 'false' } });
    expect(result.stderr).not.toContain('AIM-S001');
  });

  it('AIM_DISABLED_HOOKS leaves those families out and keeps the others', async () => {
    const all = inventoryOf(await runFixture(app, { mode }), app);
    for (const id of ['system:exec', 'network:listen', 'api:call', 'file:read']) expect(capability(all, id)?.strength, id).toBe('used');
    const result = await runFixture(app, { mode, env: { AIM_DISABLED_HOOKS: 'child_process, net,http' } });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const some = inventoryOf(result, app);
    for (const id of ['system:exec', 'network:listen', 'network:connect', 'api:call', 'ai:model_call']) expect(capability(some, id), id).toBeUndefined();
    expect(capability(some, 'file:read')?.strength).toBe('used');
    expect(capability(some, 'file:write')?.strength).toBe('used');
  });

  it('an unknown hook family and a kill switch that is not a boolean each warn once; the app runs', async () => {
    const result = await runFixture(app, { mode, env: { AIM_DISABLED_HOOKS: 'fs,telepathy', AIM_DISABLED: 'ture' } });
    expect(result.code).toBe(0);
    // Once per process (under NODE_OPTIONS the fixture's child node process says it too).
    const lines = [...new Set(result.stderr.trim().split('\n'))];
    expect(lines).toEqual([
      expect.stringMatching(/^aim warn AIM-C001-AIM_DISABLED_HOOKS: AIM_DISABLED_HOOKS names "telepathy", not a hook family/),
      expect.stringMatching(/^aim warn AIM-C001-AIM_DISABLED: AIM_DISABLED "ture" is not a boolean .*the agent stays on\.$/),
    ]);
    const inventory = inventoryOf(result, app);
    expect(capability(inventory, 'file:read')).toBeUndefined();
    expect(capability(inventory, 'system:exec')?.strength).toBe('used');
  });
});
