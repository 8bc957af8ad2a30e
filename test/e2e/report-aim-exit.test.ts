import { chmodSync, chownSync, readdirSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../../src/collector/index.js';
import { fixture, reporterBundle } from '../helpers/collector-bundle.js';
import { allFiles, runNode } from '../helpers/collector-child.js';
import { apiKeyAim, newKey } from '../helpers/collector.js';

/**
 * The reporter's exit behaviour, in real child processes (fixtures/report/app.cjs) with the
 * default timings: a bounded flush at beforeExit, the spool at exit, and the next run sending it.
 */
let bundle: string;
beforeAll(async () => {
  bundle = await reporterBundle();
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(rateLimit = 0) {
  const aim = await apiKeyAim(cleanup, rateLimit);
  const env = (extra: Record<string, string> = {}) => aim.env({ FIXTURE_BUNDLE: bundle, ...extra });
  const run = (extra: Record<string, string> = {}) => runNode([fixture('app.cjs')], env(extra));
  return { ...aim, env, run };
}

/** Spool files (not the ledgers of granted capabilities). */
function spooled(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => !f.endsWith('.granted.json'));
  } catch {
    return [];
  }
}

const grants = (c: Collector) =>
  c
    .received()
    .filter((r) => r.route === 'capabilities')
    .map((r) => `${(r.body as { capabilityType: string }).capabilityType} ${r.status}`);

describe('AIM reporter at exit (child processes)', () => {
  it('a short-lived program sends its batch at beforeExit; stdout and exit code are unchanged', async () => {
    const { collector, run } = await setup();
    const result = await run({ FIXTURE_CAPS: 'file:read,system:exec', FIXTURE_SERVERS: 'filesystem' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('hello from the app\n');
    expect(result.stderr).toBe('');
    expect(collector.received().map((r) => `${r.route} ${r.status}`)).toEqual([
      'agent 200',
      'detection 200',
      'capabilities 201',
      'capabilities 201',
      'mcp-servers 200',
    ]);
  });

  it('a capability first used later arrives as a delta', async () => {
    const { collector, run } = await setup();
    const result = await run({ FIXTURE_CAPS: 'file:read', FIXTURE_LATER: 'api:call', FIXTURE_LATER_MS: '1500', FIXTURE_STAY_MS: '3000' });
    expect(result.code).toBe(0);
    expect(grants(collector)).toEqual(['file:read 201', 'api:call 201']);
  });

  it('what process.exit() leaves unsent is spooled and sent by the next run', async () => {
    const { collector, run, spoolDir } = await setup();
    const first = await run({ FIXTURE_CAPS: 'file:read,file:write', FIXTURE_EXIT: 'exit' });
    expect(first.code).toBe(3);
    expect(first.stdout).toBe('hello from the app\n');
    expect(collector.received()).toHaveLength(0);
    expect(spooled(spoolDir)).toHaveLength(1);

    // A generous flush bound: this is about the spool being sent, not the bound (tested below). With
    // the default 2 s, a loaded CI machine (Node 26, test files in parallel) once sent only one of the
    // three capabilities in time, and the other two went back to the spool.
    const second = await run({ FIXTURE_CAPS: 'system:exec', AIM_FLUSH_TIMEOUT_MS: '10000' });
    expect(second.code).toBe(0);
    expect(grants(collector).sort()).toEqual(['file:read 201', 'file:write 201', 'system:exec 201']);
    expect(spooled(spoolDir)).toHaveLength(0);
  });

  it('a reporter started only at beforeExit (a program done in its first tick) flushes; one started at exit spools', async () => {
    const { collector, run, spoolDir } = await setup();
    const late = await run({ FIXTURE_CAPS: 'file:read', FIXTURE_LOAD_AT: 'beforeExit' });
    expect(late.stderr).toBe('');
    expect(grants(collector)).toEqual(['file:read 201']);
    const atExit = await run({ FIXTURE_CAPS: 'file:write', FIXTURE_LOAD_AT: 'exit', FIXTURE_EXIT: 'exit' });
    expect(atExit.code).toBe(3);
    expect(spooled(spoolDir)).toHaveLength(1);
    await run({});
    expect(grants(collector)).toEqual(['file:read 201', 'file:write 201']);
  });

  it('an uncaught exception is still the app’s: same exit code and message, reports spooled', async () => {
    const { collector, run, spoolDir } = await setup();
    const first = await run({ FIXTURE_CAPS: 'file:read', FIXTURE_EXIT: 'throw' });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('app crashed');
    expect(collector.received()).toHaveLength(0);
    expect(spooled(spoolDir)).toHaveLength(1);
  });

  it('a server that never answers does not hold the exit beyond the flush bound; the next run sends', async () => {
    const { collector, run, spoolDir } = await setup();
    collector.setFault({ route: '*', hang: true, count: -1 });
    // A long request timeout, so only the flush bound can end the wait.
    const result = await run({ FIXTURE_CAPS: 'file:read', AIM_FLUSH_TIMEOUT_MS: '800' });
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(15_000); // would be "never" without the bound
    expect(collector.received().map((r) => r.status)).toEqual(['hang']);
    expect(spooled(spoolDir)).toHaveLength(1);

    collector.clearFaults();
    await run({});
    expect(grants(collector)).toEqual(['file:read 201']);
  });

  it('a server that is down at startup gets the batch from the next run', async () => {
    const { collector, env, spoolDir } = await setup();
    const down = await startCollector({ log: () => {} });
    const downUrl = down.url;
    await down.close();
    const first = await runNode([fixture('app.cjs')], env({ AIM_URL: downUrl, FIXTURE_CAPS: 'file:read' }));
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/AIM-R006/);
    // The spool is per URL and agent: the same URL, now up, gets it.
    const up = await startCollector({ port: Number(new URL(downUrl).port), agents: [...collector.state.agents.values()].map((a) => ({ id: a.id, name: a.name })), keys: [env().AIM_API_KEY], rateLimit: 0, log: () => {} });
    cleanup.push(() => up.close());
    await runNode([fixture('app.cjs')], env({ AIM_URL: downUrl }));
    expect(grants(up)).toEqual(['file:read 201']);
    expect(spooled(spoolDir)).toHaveLength(0);
  });

  it('401 stops after one request with one clear warning', async () => {
    const { collector, run } = await setup();
    const result = await run({ AIM_API_KEY: newKey(), FIXTURE_CAPS: 'file:read,file:write', FIXTURE_LATER: 'api:call', FIXTURE_STAY_MS: '1500' });
    expect(result.code).toBe(0);
    expect(collector.received().map((r) => `${r.route} ${r.status}`)).toEqual(['agent 401']);
    const warnings = result.stderr.split('\n').filter(Boolean);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^aim warn AIM-R004: .*AIM_API_KEY/);
  });

  it('an unknown agent gives one clear warning and no further requests', async () => {
    const { collector, run } = await setup();
    const result = await run({ AIM_AGENT_ID: 'no-such-agent', FIXTURE_CAPS: 'file:read', FIXTURE_LATER: 'api:call', FIXTURE_STAY_MS: '1500' });
    expect(collector.received().map((r) => `${r.route} ${r.status}`)).toEqual(['agent 404']);
    const warnings = result.stderr.split('\n').filter(Boolean);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^aim warn AIM-R003: AIM has no agent "no-such-agent".*AIM_AGENT_ID/);
  });

  it('refuses to send the key over plain http to a host that is not loopback', async () => {
    const { run } = await setup();
    const result = await run({ AIM_URL: 'http://aim.example.com:8080', FIXTURE_CAPS: 'file:read' });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^aim warn AIM-R001: .*https/);
  });

  it('many processes of one agent (a fan-out) each report without errors', async () => {
    const { collector, run, agent } = await setup(100);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => run({ FIXTURE_CAPS: i % 2 ? 'file:read,system:exec' : 'file:read' })),
    );
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('hello from the app\n');
    }
    // On a loaded machine a short-lived process may run out of its flush bound (500 ms); what it
    // could not send waits in the spool for the next run, which sends it.
    await run({});
    const received = collector.received();
    // Quiet fleets: processes share what AIM acknowledged, so how many read the agent depends on
    // timing; at least one did, and nothing was refused.
    expect(received.filter((r) => r.route === 'agent').length).toBeGreaterThanOrEqual(1);
    expect(received.every((r) => r.agentId === agent.id)).toBe(true);
    expect(received.every((r) => r.status === 200 || r.status === 201 || (r.route === 'capabilities' && r.status === 500))).toBe(true);
    const state = collector.state.agents.get(agent.id)!;
    expect(state.capabilities.map((c) => c.capabilityType).sort()).toEqual(['file:read', 'system:exec']);
  });

  it('the key shows in no output and no file', async () => {
    const { key, dir, run, collector } = await setup();
    const outputs: string[] = [];
    collector.setFault({ route: 'capabilities', status: 400, body: { error: `echo ${key}` } });
    const a = await run({ FIXTURE_CAPS: 'file:read,api:call', FIXTURE_SERVERS: 'filesystem', AIM_LOG_LEVEL: 'debug' });
    const b = await run({ FIXTURE_CAPS: 'file:write', FIXTURE_EXIT: 'exit', AIM_LOG_LEVEL: 'debug' });
    outputs.push(a.stdout, a.stderr, b.stdout, b.stderr);
    expect(a.stderr).toContain('AIM-R005');
    const files = allFiles(dir);
    expect(files.some((f) => f.path.endsWith('store.jsonl'))).toBe(true);
    expect(files.some((f) => f.path.includes('spool'))).toBe(true);
    for (const text of [...outputs, ...files.map((f) => f.text), JSON.stringify(collector.received())]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(key.slice(9, 30));
    }
  });
});

/**
 * Attacks by another local user on the spool and the fleet state (simulated by ownership and
 * modes): planted state would silence the report, a planted spool entry would be sent with the
 * victim's key. Neither is read; one warning says why.
 */
describe('spool and state planted by someone else', () => {
  const NOBODY = 65534;
  const asRoot = process.getuid?.() === 0;
  const chownTree = (path: string, uid: number) => {
    chownSync(path, uid, uid);
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), uid);
  };

  it.skipIf(!asRoot)('state owned by another user does not silence the report', async () => {
    const { collector, run, spoolDir } = await setup();
    await run({ FIXTURE_CAPS: 'file:read' });
    expect(grants(collector)).toEqual(['file:read 201']);
    // The state now says "AIM has it all": as if another user had made the directory ahead.
    chownTree(`${spoolDir}.state`, NOBODY);
    const before = collector.received().length;
    const second = await run({ FIXTURE_CAPS: 'file:read' });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/^aim warn AIM-F001: .*spool\.state is another user's; aim keeps no spool or state there/);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(collector.received().length).toBeGreaterThan(before);
  });

  it.skipIf(!asRoot)('a spool entry in a directory owned by another user is never sent', async () => {
    const { collector, run, spoolDir } = await setup();
    await run({ FIXTURE_CAPS: 'file:write', FIXTURE_EXIT: 'exit' });
    expect(spooled(spoolDir)).toHaveLength(1);
    chownTree(spoolDir, NOBODY);
    const second = await run({ FIXTURE_CAPS: 'system:exec' });
    expect(second.stderr).toContain('AIM-F001');
    expect(grants(collector)).toEqual(['system:exec 201']);
  });

  it('a spool directory others can write is never read', async () => {
    const { collector, run, spoolDir } = await setup();
    await run({ FIXTURE_CAPS: 'file:write', FIXTURE_EXIT: 'exit' });
    chmodSync(spoolDir, 0o777);
    const second = await run({ FIXTURE_CAPS: 'system:exec' });
    expect(second.stderr).toContain('AIM-F001');
    expect(grants(collector)).toEqual(['system:exec 201']);
  });

  it('a spool file others can write is never read', async () => {
    const { collector, run, spoolDir } = await setup();
    await run({ FIXTURE_CAPS: 'file:write', FIXTURE_EXIT: 'exit' });
    chmodSync(join(spoolDir, spooled(spoolDir)[0]!), 0o666);
    await run({ FIXTURE_CAPS: 'system:exec' });
    expect(grants(collector)).toEqual(['system:exec 201']);
  });

  it('a spool directory that is a symlink is not followed', async () => {
    const { collector, run, spoolDir, dir } = await setup();
    await run({ FIXTURE_CAPS: 'file:write', FIXTURE_EXIT: 'exit' });
    renameSync(spoolDir, join(dir, 'elsewhere'));
    symlinkSync(join(dir, 'elsewhere'), spoolDir);
    const second = await run({ FIXTURE_CAPS: 'system:exec' });
    expect(second.stderr).toMatch(/AIM-F001: .* is a symlink/);
    expect(grants(collector)).toEqual(['system:exec 201']);
  });
});
