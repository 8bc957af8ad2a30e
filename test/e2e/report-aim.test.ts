import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../src/collector/index.js';
import { fixture, repoRoot } from '../helpers/collector-bundle.js';
import { allFiles, runNode } from '../helpers/collector-child.js';
import { apiKeyAim } from '../helpers/collector.js';

/**
 * End to end: real programs under `--import <repo>/dist/register.mjs` (the built agent, as users
 * run it), reporting to the collector on 127.0.0.1. Needs `npm run build` first (AIM_TEST_DIST:
 * another build directory).
 */
const dist = process.env.AIM_TEST_DIST || join(repoRoot, 'dist');
const register = join(dist, 'register.mjs');
const built = existsSync(register) && existsSync(join(dist, 'reporter.cjs'));

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup() {
  const aim = await apiKeyAim(cleanup, 100);
  const run = (extra: Record<string, string> = {}, args = ['--import', register, fixture('e2e-app.mjs')]) => runNode(args, aim.env(extra));
  return { ...aim, run };
}

const caps = (c: Collector) =>
  c
    .received()
    .filter((r) => r.route === 'capabilities')
    .map((r) => `${(r.body as { capabilityType: string }).capabilityType} ${r.status}`);

describe.skipIf(!built)('AIM reporting end to end (dist/register.mjs)', () => {
  it('a real program reports its inventory; its stdout, stderr and exit code are untouched', async () => {
    const { collector, agent, run } = await setup();
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('app started\n');
    expect(result.stderr).toBe('');
    const received = collector.received();
    expect(received.slice(0, 2).map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual(['GET agent 200', 'POST detection 200']);
    expect(caps(collector)).toContain('file:read 201');
    // The reporter's own HTTP (from dist/) is not the app's: no network capability.
    expect(caps(collector).filter((c) => /^(api:call|network:connect)/.test(c))).toEqual([]);
    for (const r of received) {
      expect(r.agentId).toBe(agent.id);
      expect(r.auth).toBe('x-api-key');
    }
    const integration = (received[1]!.body as { detections: { mcpServer: string; details: { capabilities: string[] } }[] }).detections.find(
      (d) => d.mcpServer === 'aim-sdk-integration',
    )!;
    expect(integration.details.capabilities).toContain('file:read');
  });

  it('sends the deployment identity (AIM_ENVIRONMENT, AIM_AGENT_VERSION, AIM_TAGS) with the integration entry', async () => {
    const { collector, run } = await setup();
    const result = await run({ AIM_ENVIRONMENT: 'staging', AIM_AGENT_VERSION: '1.4.0', AIM_TAGS: 'team:payments, tier:1' });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const detection = collector.received().find((r) => r.route === 'detection')!;
    const integration = (detection.body as { detections: { mcpServer: string; details: Record<string, unknown> }[] }).detections.find(
      (d) => d.mcpServer === 'aim-sdk-integration',
    )!;
    expect(integration.details).toMatchObject({ environment: 'staging', deploymentVersion: '1.4.0', tags: ['team:payments', 'tier:1'] });
  });

  it('a capability first used later arrives as a delta', async () => {
    const { collector, run } = await setup();
    const result = await run({ FIXTURE_LATER_MS: '1800' });
    expect(result.stdout).toBe('app started\nran a command\napp done\n');
    const grants = caps(collector);
    expect(grants).toContain('system:exec 201');
    expect(grants.indexOf('system:exec 201')).toBeGreaterThan(grants.indexOf('file:read 201'));
  });

  it('works through --require too', async () => {
    const { collector, run } = await setup();
    const result = await run({ FIXTURE_STAY_MS: '100' }, ['--require', join(dist, 'register.cjs'), fixture('e2e-child.cjs')]);
    expect(result.stdout).toBe('child ok\n');
    expect(result.stderr).toBe('');
    expect(caps(collector)).toContain('file:write 201');
  });

  it('process.exit() with reports unsent: the next run sends them', async () => {
    const { collector, run, spoolDir } = await setup();
    const first = await run({ FIXTURE_EXIT: '1' });
    expect(first.code).toBe(3);
    expect(first.stdout).toBe('app started\n');
    expect(caps(collector)).toEqual([]);
    expect(readdirSync(spoolDir).filter((f) => !f.endsWith('.granted.json'))).toHaveLength(1);
    await run({}, ['--import', register, fixture('e2e-child.cjs')]);
    expect(caps(collector).sort()).toEqual(['file:read 201', 'file:write 201']);
  });

  it('a server that never answers does not hold the exit beyond the flush bound', async () => {
    const { collector, run } = await setup();
    collector.setFault({ route: '*', hang: true, count: -1 });
    const result = await run({ AIM_FLUSH_TIMEOUT_MS: '1000' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('app started\n');
    expect(result.ms).toBeLessThan(15_000); // "never" without the bound
  });

  it('many processes (NODE_OPTIONS fan-out) each report under the same agent without errors; the key is written nowhere', async () => {
    const { collector, agent, run, key, dir } = await setup();
    const result = await run({ FIXTURE_CHILDREN: '4', NODE_OPTIONS: `--import ${register}` }, [fixture('e2e-app.mjs')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter((l) => l === 'child ok')).toHaveLength(4);
    await run({}); // sends whatever a child could not within its short flush bound
    const received = collector.received();
    expect(received.every((r) => r.agentId === agent.id)).toBe(true);
    expect(received.every((r) => r.status === 200 || r.status === 201 || (r.route === 'capabilities' && r.status === 500))).toBe(true);
    expect(received.filter((r) => r.route === 'agent').length).toBeGreaterThanOrEqual(2);
    const state = collector.state.agents.get(agent.id)!;
    expect(state.capabilities.map((c) => c.capabilityType)).toEqual(expect.arrayContaining(['file:read', 'file:write', 'system:exec']));
    for (const text of [result.stdout, result.stderr, ...allFiles(dir).map((f) => f.text)]) expect(text).not.toContain(key);
  });
});
