import { readdirSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCollector, type Collector } from '../src/collector/index.js';
import { createAimReporter, type DisposableAimReporter } from '../src/report/aim/entry.js';
import { retryAfterMs } from '../src/report/aim/http.js';
import { keyMayTravel } from '../src/report/aim/keys.js';
import { readAgentView } from '../src/protocol/index.js';
import { configFor, FAST, makeInventory, newAgent, newKey, server, sleep, tempDir, until, use } from './helpers/collector.js';

/**
 * The reporter in this process against a real collector on 127.0.0.1: routes, headers, bodies,
 * deltas, duplicates, revocations and faults. Exit behaviour is in report-aim-exit.test.ts
 * (child processes).
 */
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(
  opts: { capabilities?: string[]; rateLimit?: number; agentRef?: 'id' | 'name'; launcher?: string; hideRevoked?: boolean; spoolDir?: string } = {},
) {
  const key = newKey();
  const agent = newAgent();
  const lines: string[] = [];
  const collector: Collector = await startCollector({
    agents: [{ ...agent, capabilities: opts.capabilities ?? [] }],
    keys: [key],
    rateLimit: opts.rateLimit ?? 0,
    hideRevoked: opts.hideRevoked ?? false,
    log: (l) => lines.push(l),
  });
  cleanup.push(() => collector.close());
  const inventory = makeInventory(opts.launcher);
  const config = configFor({
    AIM_API_KEY: key,
    AIM_URL: collector.url,
    AIM_AGENT_ID: opts.agentRef === 'name' ? agent.name : agent.id,
    AIM_SPOOL_DIR: opts.spoolDir ?? tempDir(),
  });
  const start = (timings: Record<string, number> = {}): DisposableAimReporter => {
    const r = createAimReporter(inventory, config, { timings: { ...FAST, ...timings } });
    cleanup.push(() => r.dispose());
    return r;
  };
  return { key, agent, collector, inventory, config, start, lines };
}

const routes = (c: Collector) => c.received().map((r) => `${r.method} ${r.route} ${r.status}`);

describe('AIM reporter (in process)', () => {
  it('sends the startup batch: agent read, detections, one grant per capability, mcp-servers', async () => {
    const { collector, inventory, agent, start, key } = await setup();
    use(inventory, 'file:read');
    use(inventory, 'system:exec');
    inventory.upsertServer(server('filesystem'));
    start();
    await until(() => collector.received().some((r) => r.route === 'mcp-servers'));
    expect(routes(collector)).toEqual([
      'GET agent 200',
      'POST detection 200',
      'POST capabilities 201',
      'POST capabilities 201',
      'POST mcp-servers 200',
    ]);
    const [read, detection, grant1, grant2, servers] = collector.received();
    for (const r of collector.received()) {
      expect(r.auth).toBe('x-api-key');
      expect(r.agentId).toBe(agent.id);
      expect(r.headers['user-agent']).toMatch(/^aim-node\/0\.1\.0/);
      expect(JSON.stringify(r)).not.toContain(key);
    }
    expect(read!.path).toBe(`/api/v1/sdk-api/agents/${agent.id}`);
    expect(detection!.path).toBe(`/api/v1/sdk-api/agents/${agent.id}/detection/report`);
    expect(detection!.headers['content-type']).toBe('application/json');
    const detections = (detection!.body as { detections: Record<string, unknown>[] }).detections;
    expect(detections).toHaveLength(2);
    const integration = detections.find((d) => d.mcpServer === 'aim-sdk-integration')!;
    expect(integration).toMatchObject({
      detectionMethod: 'sdk_integration',
      confidence: 100,
      sdkVersion: 'aim-node@0.1.0',
      details: { platform: 'node', capabilities: ['file:read', 'system:exec'], agentVersion: '0.1.0' },
    });
    expect(integration.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(detections.find((d) => d.mcpServer === 'filesystem')).toMatchObject({
      detectionMethod: 'sdk_runtime',
      confidence: 95,
      details: { transport: 'stdio', command: 'npx', args: ['-y', 'filesystem'] },
    });
    expect([grant1!.body, grant2!.body]).toMatchObject([
      { capabilityType: 'file:read', scope: { source: 'aim-node', strength: 'used', evidence: [{ api: 'api-for-file:read', who: 'app' }] } },
      { capabilityType: 'system:exec' },
    ]);
    expect(servers!.body).toMatchObject({ mcp_server_ids: ['filesystem'], detected_method: 'auto_sdk', confidence: 95 });
    const state = collector.state.agents.get(agent.id)!;
    expect(state.capabilities.map((c) => c.capabilityType)).toEqual(['file:read', 'system:exec']);
    expect(state.talksTo).toEqual(['aim-sdk-integration', 'filesystem']);
  });

  it('sends a capability first used later as a delta, and only it', async () => {
    const { collector, inventory, start } = await setup();
    use(inventory, 'file:read');
    start();
    await until(() => collector.received().some((r) => r.route === 'capabilities'));
    await sleep(150);
    const before = collector.received().length;
    use(inventory, 'api:call');
    use(inventory, 'file:read', 'another-api'); // more evidence for a known capability: nothing new
    await until(() => collector.received().length > before && collector.received().at(-1)!.route === 'capabilities');
    await sleep(200);
    expect(routes(collector).slice(before)).toEqual(['POST capabilities 201']);
    expect(collector.received().at(-1)!.body).toMatchObject({ capabilityType: 'api:call' });
  });

  it('resolves an agent name once, then uses its id', async () => {
    const { collector, inventory, agent, start } = await setup({ agentRef: 'name' });
    use(inventory, 'file:read');
    start();
    await until(() => collector.received().some((r) => r.route === 'capabilities'));
    const [read, ...rest] = collector.received();
    expect(read!.path).toBe(`/api/v1/sdk-api/agents/${agent.name}`);
    for (const r of rest) expect(r.agentId).toBe(agent.id);
  });

  it('grants only what the agent lacks and never re-grants a revoked capability', async () => {
    const { collector, inventory, start } = await setup({ capabilities: ['file:read', '!system:exec'] });
    use(inventory, 'file:read');
    use(inventory, 'system:exec');
    use(inventory, 'api:call');
    start();
    await until(() => collector.received().some((r) => r.route === 'capabilities'));
    await sleep(300);
    const grants = collector.received().filter((r) => r.route === 'capabilities');
    expect(grants.map((g) => (g.body as { capabilityType: string }).capabilityType)).toEqual(['api:call']);
  });

  it('does not re-grant a capability it granted before that AIM no longer lists (upstream hides revoked ones)', async () => {
    const spoolDir = tempDir();
    const { collector, inventory, agent, start } = await setup({ hideRevoked: true, spoolDir });
    use(inventory, 'file:read');
    use(inventory, 'system:exec');
    const first = start();
    await until(() => collector.received().filter((r) => r.route === 'capabilities').length === 2);
    await first.flush(1000);
    first.dispose();
    // An administrator revokes system:exec; AIM's agent read stops listing it.
    collector.revoke(agent.id, 'system:exec');
    const before = collector.received().length;
    // A replica without the fleet state (a restart with it sends nothing at all).
    rmSync(`${spoolDir}.state`, { recursive: true, force: true });
    const second = start();
    await second.flush(2000);
    await sleep(200);
    expect(routes(collector).slice(before)).toEqual(['GET agent 200', 'POST detection 200']);
  });

  it('treats 500 on a grant as a duplicate: recorded, not retried', async () => {
    const { collector, inventory, start } = await setup();
    use(inventory, 'file:read');
    collector.setFault({ route: 'capabilities', status: 500, body: { error: 'pq: duplicate key value violates unique constraint' } });
    start();
    await until(() => collector.received().some((r) => r.route === 'capabilities'));
    use(inventory, 'file:write');
    await until(() => collector.received().filter((r) => r.route === 'capabilities').length === 2);
    await sleep(300);
    const grants = collector.received().filter((r) => r.route === 'capabilities');
    expect(grants.map((g) => `${(g.body as { capabilityType: string }).capabilityType} ${g.status}`)).toEqual([
      'file:read 500',
      'file:write 201',
    ]);
  });

  it('stops after one request on 401, and after the agent read on an unknown agent', async () => {
    const a = await setup();
    use(a.inventory, 'file:read');
    a.collector.setFault({ route: '*', status: 401, body: { error: 'Invalid API key' } });
    const r = a.start();
    await until(() => a.collector.received().length === 1);
    use(a.inventory, 'file:write');
    await r.flush(300);
    await sleep(300);
    expect(routes(a.collector)).toEqual(['GET agent 401']);

    const b = await setup();
    use(b.inventory, 'file:read');
    b.collector.state.agents.clear();
    b.start();
    await until(() => b.collector.received().length === 1);
    await sleep(300);
    expect(routes(b.collector)).toEqual(['GET agent 404']);
  });

  it.each([301, 302, 307, 308, 418, 451])('a redirecting or strange AIM (%i on the agent read) ends reporting after one request, with one warning', async (status) => {
    // Before: the read was asked again at once, 100 requests a minute for the life of the process.
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // Each code is said once per process (platform/log.ts): forget what earlier cases said.
    (globalThis as { [key: symbol]: Set<string> | undefined })[Symbol.for('aim.log.said')]?.clear();
    try {
      const a = await setup();
      use(a.inventory, 'file:read');
      a.collector.setFault({ route: '*', status, body: { error: 'moved' }, count: -1 });
      const r = a.start();
      await until(() => a.collector.received().length >= 1);
      use(a.inventory, 'file:write');
      await r.flush(300);
      await sleep(500);
      expect(routes(a.collector)).toEqual([`GET agent ${status}`]);
      const warnings = stderr.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('AIM-R016'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`HTTP ${status}`);
    } finally {
      stderr.mockRestore();
    }
  });

  it('honours 429 Retry-After, then sends everything', async () => {
    const { collector, inventory, start } = await setup();
    use(inventory, 'file:read');
    collector.setFault({ route: 'detection', status: 429, retryAfter: 1, body: { error: 'Rate limit exceeded. Please try again later.' } });
    start();
    await until(() => collector.received().some((r) => r.route === 'capabilities' && r.status === 201));
    const rec = collector.received();
    const limited = rec.find((r) => r.status === 429)!;
    const retried = rec.find((r) => r.route === 'detection' && r.status === 200)!;
    expect(Date.parse(retried.at) - Date.parse(limited.at)).toBeGreaterThanOrEqual(900);
    expect(routes(collector)).toEqual(['GET agent 200', 'POST detection 429', 'POST detection 200', 'POST capabilities 201']);
  });

  it('retries 503, resets, garbage and timeouts with backoff and loses nothing', async () => {
    const { collector, inventory, start } = await setup();
    use(inventory, 'file:read');
    inventory.upsertServer(server('filesystem'));
    collector.setFault({ route: 'agent', reset: true });
    collector.setFault({ route: 'agent', garbage: 'huge' });
    collector.setFault({ route: 'detection', status: 503 });
    collector.setFault({ route: 'capabilities', garbage: true }); // 200 with a body that is not JSON: granted
    collector.setFault({ route: 'mcp-servers', hang: true });
    start({ requestTimeoutMs: 1000 });
    await until(() => collector.received().some((r) => r.route === 'mcp-servers' && r.status === 200), 15_000);
    expect(routes(collector)).toEqual([
      'GET agent reset',
      'GET agent 200',
      'GET agent 200',
      'POST detection 503',
      'POST detection 200',
      'POST capabilities 200',
      'POST mcp-servers hang',
      'POST mcp-servers 200',
    ]);
  });

  it('keeps trying while the server is down and sends the batch once it is up', async () => {
    const { collector, inventory, start } = await setup();
    use(inventory, 'file:read');
    collector.setFault({ route: '*', reset: true, count: 3 });
    start();
    await until(() => collector.received().some((r) => r.route === 'capabilities'), 15_000);
    expect(routes(collector).filter((r) => !r.endsWith('reset'))).toEqual([
      'GET agent 200',
      'POST detection 200',
      'POST capabilities 201',
    ]);
  });

  it('drops a body the server refuses with 400, once, and goes on', async () => {
    const { collector, inventory, start } = await setup();
    use(inventory, 'file:read');
    use(inventory, 'file:write');
    collector.setFault({ route: 'capabilities', status: 400, body: { error: 'Invalid request body' } });
    start();
    await until(() => collector.received().filter((r) => r.route === 'capabilities').length === 2);
    await sleep(300);
    expect(routes(collector).slice(2)).toEqual(['POST capabilities 400', 'POST capabilities 201']);
  });

  it('keeps to the rate limit it is given', async () => {
    const { collector, inventory, start } = await setup({ rateLimit: 100 });
    const ids = ['file:read', 'file:write', 'file:delete', 'system:exec', 'api:call', 'network:connect'] as const;
    for (const id of ids) use(inventory, id);
    start({ ratePerMinute: 3 } as Record<string, number>);
    await until(() => collector.received().length === 3);
    await sleep(500);
    expect(collector.received()).toHaveLength(3);
  });

  it('reports no capabilities for a launcher (npm, npx)', async () => {
    const { collector, inventory, start } = await setup({ launcher: 'npm' });
    use(inventory, 'system:exec');
    const r = start();
    await sleep(400);
    await r.flush(200);
    expect(collector.received()).toHaveLength(0);
  });

  it('reports loaded-only capabilities only with AIM_REPORT_POTENTIAL', async () => {
    const { collector, inventory, start } = await setup();
    use(inventory, 'file:read');
    use(inventory, 'ai:model_call', 'package openai', 'loaded');
    start();
    await until(() => collector.received().some((r) => r.route === 'capabilities'));
    await sleep(300);
    const grants = collector.received().filter((r) => r.route === 'capabilities');
    expect(grants.map((g) => (g.body as { capabilityType: string }).capabilityType)).toEqual(['file:read']);
  });

  it('flush() sends everything now, within its bound', async () => {
    const { collector, inventory, start } = await setup();
    use(inventory, 'file:read');
    const r = start({ quietMs: 60_000, quietMaxMs: 60_000 });
    await r.flush(5000);
    expect(routes(collector)).toEqual(['GET agent 200', 'POST detection 200', 'POST capabilities 201']);
  });

  it('spoolUnsent() writes what is unsent for the next reporter of the agent (an agent that loads it at exit)', async () => {
    const spoolDir = tempDir();
    const { collector, inventory, start, config } = await setup({ spoolDir });
    use(inventory, 'db:read');
    const first = start({ quietMs: 60_000, quietMaxMs: 60_000 });
    first.spoolUnsent();
    first.dispose();
    expect(collector.received()).toHaveLength(0);
    expect(readdirSync(spoolDir)).toHaveLength(1);
    const second = createAimReporter(makeInventory(), config, { timings: FAST });
    cleanup.push(() => second.dispose());
    await second.flush(3000);
    expect(collector.received().filter((r) => r.route === 'capabilities').map((r) => (r.body as { capabilityType: string }).capabilityType)).toEqual([
      'db:read',
    ]);
  });

  it('never prints the key, even when the server echoes it', async () => {
    const { collector, inventory, start, key } = await setup();
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    cleanup.push(() => spy.mockRestore());
    const before = process.env.AIM_LOG_LEVEL;
    process.env.AIM_LOG_LEVEL = 'debug';
    cleanup.push(() => (before === undefined ? delete process.env.AIM_LOG_LEVEL : (process.env.AIM_LOG_LEVEL = before)));
    use(inventory, 'file:read');
    inventory.upsertServer(server('filesystem'));
    const route = 'mcp-servers';
    collector.setFault({ route, status: 422, body: { error: `bad key ${key}` } });
    start();
    await until(() => collector.received().some((r) => r.route === route));
    await sleep(200);
    expect(writes.join('')).toContain(`AIM-R005-${route}`);
    expect(writes.join('')).not.toContain(key);
  });
});

describe('AIM reporter helpers', () => {
  it('lets the key travel only over https or to loopback', () => {
    expect(keyMayTravel(new URL('https://aim.example.com'))).toBe(true);
    expect(keyMayTravel(new URL('http://127.0.0.1:8080'))).toBe(true);
    expect(keyMayTravel(new URL('http://localhost:8080'))).toBe(true);
    expect(keyMayTravel(new URL('http://[::1]:8080'))).toBe(true);
    expect(keyMayTravel(new URL('http://aim.example.com'))).toBe(false);
    expect(keyMayTravel(new URL('http://10.0.0.5'))).toBe(false);
    expect(keyMayTravel(new URL('http://127.0.0.1.nip.io'))).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': 'Wed, 25 Nov 2026 12:00:10 GMT' }, now)).toBe(10_000);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });

  it('reads the agent from either capability shape, and revoked rows', () => {
    expect(
      readAgentView({
        success: true,
        agent: {
          id: 'a',
          name: 'n',
          talks_to: ['fs'],
          capabilities: ['api:call', { capabilityType: 'file:read' }, { capabilityType: 'system:exec', revokedAt: '2026-01-01T00:00:00Z' }, 7],
        },
      }),
    ).toEqual({ id: 'a', name: 'n', granted: ['api:call', 'file:read'], revoked: ['system:exec'], talksTo: ['fs'] });
    expect(readAgentView('<html>')).toBeUndefined();
    expect(readAgentView({ agent: {} })).toBeUndefined();
  });
});
