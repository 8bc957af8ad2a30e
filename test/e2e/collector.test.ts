import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENT, DEMO_KEY, startCollector, type Collector } from '../../src/collector/index.js';
import { cliBundle, fixture, reporterBundle } from '../helpers/collector-bundle.js';
import { cleanEnv, runNode } from '../helpers/collector-child.js';
import { newAgent, newKey, tempDir, until } from '../helpers/collector.js';

/** The local AIM-compatible collector: AIM's routes, codes and quirks; faults; store; CLIs. */
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function start(options: Parameters<typeof startCollector>[0] = {}): Promise<Collector> {
  const c = await startCollector({ log: () => {}, ...options });
  cleanup.push(() => c.close());
  return c;
}

async function call(c: Collector, method: string, path: string, opts: { key?: string; bearer?: string; body?: unknown; raw?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (path.startsWith('/__aim/')) headers.authorization = `Bearer ${c.token}`;
  if (opts.key) headers['x-api-key'] = opts.key;
  if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`;
  const res = await fetch(c.url + path, {
    method,
    headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as Record<string, unknown>, headers: res.headers };
}

const ts = () => new Date().toISOString();
const sdk = (id: string, rest = '') => `/api/v1/sdk-api/agents/${id}${rest}`;

describe('collector: AIM semantics', () => {
  it('authenticates like APIKeyMiddleware', async () => {
    const key = newKey();
    const agent = newAgent();
    const c = await start({ agents: [agent], keys: [key] });
    expect((await call(c, 'GET', sdk(agent.id))).body).toEqual({ error: 'No API key provided' });
    expect(await call(c, 'GET', sdk(agent.id), { key: newKey() })).toMatchObject({ status: 401, body: { error: 'Invalid API key' } });
    expect((await call(c, 'GET', sdk(agent.id), { bearer: key })).status).toBe(200);
    expect((await call(c, 'GET', sdk(agent.id), { bearer: 'short' })).status).toBe(500); // upstream's key[:10] panic
    expect(c.received().every((r) => !JSON.stringify(r).includes(key))).toBe(true);
  });

  it('reads an agent by id or name; 404 when unknown, 403 in another organisation', async () => {
    const key = newKey();
    const agent = newAgent('my-agent');
    const other = { ...newAgent('theirs'), org: 'other' };
    const c = await start({ agents: [{ ...agent, capabilities: ['file:read', '!system:exec'] }, other], keys: [key] });
    const byId = await call(c, 'GET', sdk(agent.id), { key });
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ success: true, agent: { id: agent.id, name: 'my-agent', status: 'verified' } });
    const caps = (byId.body.agent as { capabilities: { capabilityType: string; revokedAt?: string }[] }).capabilities;
    expect(caps.map((x) => [x.capabilityType, Boolean(x.revokedAt)])).toEqual([
      ['file:read', false],
      ['system:exec', true],
    ]);
    expect((await call(c, 'GET', sdk('my-agent'), { key })).status).toBe(200);
    expect(await call(c, 'GET', sdk(newAgent().id), { key })).toMatchObject({ status: 404, body: { error: 'Agent not found' } });
    expect(await call(c, 'GET', sdk('nobody'), { key })).toMatchObject({
      status: 404,
      body: { message: "No agent found with name 'nobody' in your organization" },
    });
    expect((await call(c, 'GET', sdk(other.id), { key })).status).toBe(403);
  });

  it('grants a capability once; a duplicate is a 500; bodies are validated', async () => {
    const key = newKey();
    const agent = newAgent();
    const c = await start({ agents: [agent], keys: [key] });
    const grant = await call(c, 'POST', sdk(agent.id, '/capabilities'), { key, body: { capabilityType: 'file:read', scope: { a: 1 } } });
    expect(grant.status).toBe(201);
    expect(grant.body).toMatchObject({ agentId: agent.id, capabilityType: 'file:read', capabilityScope: { a: 1 } });
    expect(grant.body.revokedAt).toBeUndefined();
    const dup = await call(c, 'POST', sdk(agent.id, '/capabilities'), { key, body: { capabilityType: 'file:read' } });
    expect(dup.status).toBe(500);
    expect(String(dup.body.error)).toContain('unique_agent_capability');
    const bad = await call(c, 'POST', sdk(agent.id, '/capabilities'), { key, body: { capabilityType: 'read_files' } });
    expect(bad).toMatchObject({ status: 400, body: { error: 'capabilityType: capabilityType must match namespace:action' } });
    expect((await call(c, 'POST', sdk(agent.id, '/capabilities'), { key, raw: '{nope' })).status).toBe(400);
    expect((await call(c, 'POST', sdk('not-a-uuid', '/capabilities'), { key, body: { capabilityType: 'file:read' } })).body).toEqual({
      error: 'Invalid agent ID',
    });
    expect((await call(c, 'POST', sdk(newAgent().id, '/capabilities'), { key, body: { capabilityType: 'file:read' } })).status).toBe(500);
  });

  it('takes detection reports with dedupe and talks_to; 500 for an unknown agent', async () => {
    const key = newKey();
    const agent = newAgent();
    const c = await start({ agents: [agent], keys: [key] });
    const body = { detections: [{ mcpServer: 'filesystem', detectionMethod: 'sdk_runtime', confidence: 95, timestamp: ts() }] };
    const first = await call(c, 'POST', sdk(agent.id, '/detection/report'), { key, body });
    expect(first).toMatchObject({ status: 200, body: { success: true, detectionsProcessed: 1, newMCPs: ['filesystem'], existingMCPs: [] } });
    const again = await call(c, 'POST', sdk(agent.id, '/detection/report'), { key, body });
    expect(again.body).toMatchObject({ detectionsProcessed: 1, newMCPs: [], existingMCPs: [], message: 'Processed 1 detections (0 significant, 1 filtered)' });
    expect(await call(c, 'POST', sdk(agent.id, '/detection/report'), { key, body: { detections: [] } })).toMatchObject({
      status: 400,
      body: { error: 'detections: detections array is required and must not be empty' },
    });
    const naive = { detections: [{ ...body.detections[0], timestamp: '2025-10-24T12:00:00' }] };
    expect((await call(c, 'POST', sdk(agent.id, '/detection/report'), { key, body: naive })).status).toBe(400);
    const far = { detections: [{ ...body.detections[0], confidence: 101 }] };
    expect((await call(c, 'POST', sdk(agent.id, '/detection/report'), { key, body: far })).status).toBe(400);
    expect(await call(c, 'POST', sdk(newAgent().id, '/detection/report'), { key, body })).toMatchObject({
      status: 500,
      body: { error: 'agent not found or unauthorized' },
    });
    expect(c.state.agents.get(agent.id)!.talksTo).toEqual(['filesystem']);
  });

  it('adds MCP servers idempotently; 404 unknown agent, 403 another organisation', async () => {
    const key = newKey();
    const agent = newAgent();
    const other = { ...newAgent(), org: 'other' };
    const c = await start({ agents: [agent, other], keys: [key] });
    const body = { mcp_server_ids: ['filesystem'], detected_method: 'auto_sdk', confidence: 90, metadata: {} };
    expect((await call(c, 'POST', sdk(agent.id, '/mcp-servers'), { key, body })).body).toMatchObject({
      added_servers: ['filesystem'],
      talks_to: ['filesystem'],
      total_count: 1,
    });
    expect((await call(c, 'POST', sdk(agent.id, '/mcp-servers'), { key, body })).body).toMatchObject({ added_servers: [], total_count: 1 });
    expect((await call(c, 'POST', sdk(agent.id, '/mcp-servers'), { key, body: { mcp_server_ids: [] } })).status).toBe(400);
    expect((await call(c, 'POST', sdk(newAgent().id, '/mcp-servers'), { key, body })).status).toBe(404);
    expect((await call(c, 'POST', sdk(other.id, '/mcp-servers'), { key, body })).status).toBe(403);
  });

  it('limits each key to N requests a minute with 429 and Retry-After', async () => {
    const key = newKey();
    const agent = newAgent();
    const c = await start({ agents: [agent], keys: [key], rateLimit: 3 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(c, 'GET', sdk(agent.id), { key })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await call(c, 'GET', sdk(agent.id), { key });
    expect(limited.body).toEqual({ error: 'Rate limit exceeded. Please try again later.' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('collector: faults, store, control routes', () => {
  it('injects a status for the next N requests of a route over its control route', async () => {
    const key = newKey();
    const agent = newAgent();
    const c = await start({ agents: [agent], keys: [key] });
    expect((await call(c, 'POST', '/__aim/faults', { body: { route: 'agent', status: 503, count: 2 } })).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(c, 'GET', sdk(agent.id), { key })).status);
    expect(statuses).toEqual([503, 503, 200]);
    await call(c, 'POST', '/__aim/faults', { body: { route: '*', garbage: true } });
    expect((await call(c, 'GET', sdk(agent.id), { key })).body).toBe('<html>this is not json{{{');
    await call(c, 'POST', '/__aim/faults', { body: { route: 'agent', reset: true } });
    await expect(call(c, 'GET', sdk(agent.id), { key })).rejects.toThrow();
    const received = (await call(c, 'GET', '/__aim/received')).body as unknown as { status: unknown }[];
    expect(received.map((r) => r.status)).toEqual([503, 503, 200, 200, 'reset']);
  });

  it('keeps a JSON-lines store and replays it at start (grants and revocations survive a restart)', async () => {
    const key = newKey();
    const agent = newAgent();
    const store = join(tempDir(), 'store.jsonl');
    const first = await start({ agents: [agent], keys: [key], store });
    await call(first, 'POST', sdk(agent.id, '/capabilities'), { key, body: { capabilityType: 'file:read' } });
    await call(first, 'POST', sdk(agent.id, '/capabilities'), { key, body: { capabilityType: 'system:exec' } });
    await call(first, 'POST', '/__aim/revoke', { body: { agentId: agent.id, capabilityType: 'system:exec' } });
    await first.close();
    const lines = readFileSync(store, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(readFileSync(store, 'utf8')).not.toContain(key);

    const second = await start({ agents: [agent], keys: [key], store });
    const read = await call(second, 'GET', sdk(agent.id), { key });
    const caps = (read.body.agent as { capabilities: { capabilityType: string; revokedAt?: string }[] }).capabilities;
    expect(caps.map((x) => [x.capabilityType, Boolean(x.revokedAt)])).toEqual([
      ['file:read', false],
      ['system:exec', true],
    ]);
    expect((await call(second, 'POST', sdk(agent.id, '/capabilities'), { key, body: { capabilityType: 'file:read' } })).status).toBe(500);
  });
});

describe('aim collector and aim doctor (CLI)', () => {
  let cli: string;
  let reporter: string;
  beforeAll(async () => {
    [cli, reporter] = await Promise.all([cliBundle(), reporterBundle()]);
  });

  interface CollectorCli {
    url: string;
    child: ChildProcess;
    stderr: () => string;
    stdout: () => string;
    /** XDG_STATE_HOME of the collector: its token file is under `aim/`. */
    state: string;
  }

  async function runCollectorCli(args: string[], env: Record<string, string> = {}): Promise<CollectorCli> {
    const state = tempDir('aim-collector-state-');
    const child = spawn(process.env.AIM_TEST_NODE || process.execPath, [cli, 'collector', '--port', '0', ...args], {
      env: cleanEnv({ XDG_STATE_HOME: state, ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanup.push(() => {
      child.kill('SIGTERM');
      return new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('close', r)));
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const url = await until(() => (/\/__aim\/\*\): Authorization/.test(stdout) ? /listening on (http:\/\/\S+)/.exec(stdout)?.[1] : undefined));
    return { url, child, stderr: () => stderr, stdout: () => stdout, state };
  }

  const control = (url: string, path: string, token?: string) =>
    fetch(`${url}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }).then((r) => r.status);
  const exited = (child: ChildProcess) => new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('close', r)));

  it('prints the control token at start and writes it 0600; the control routes need it; the file goes at exit', async () => {
    const { url, child, stdout, stderr, state } = await runCollectorCli([]);
    const [, token, file] = /Authorization: Bearer (\S+) \(in (\S+)\)/.exec(stdout())!;
    const port = new URL(url).port;
    expect(file).toBe(join(state, 'aim', `collector-${port}.token`));
    expect(readFileSync(file!, 'utf8')).toBe(`${token}\n`);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(statSync(join(state, 'aim')).mode & 0o777).toBe(0o700);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await control(url, '/__aim/received')).toBe(401);
    expect(await control(url, '/__aim/received', 'not-the-token-at-all')).toBe(401);
    expect(await control(url, '/__aim/received', token)).toBe(200);
    expect(stderr()).toBe('');
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(existsSync(file!)).toBe(false);
  });

  it('takes a token from --token without echoing it; refuses a short one', async () => {
    const token = `script-token-${randomBytes(8).toString('hex')}`;
    const { url, stdout, state } = await runCollectorCli(['--token', token]);
    expect(stdout()).not.toContain(token);
    expect(stdout()).toContain('Authorization: Bearer <the --token given>');
    expect(existsSync(join(state, 'aim'))).toBe(false);
    expect(await control(url, '/__aim/agents', token)).toBe(200);
    const short = await runNode([cli, 'collector', '--port', '0', '--token', 'short'], {});
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('--token: 16 to 512 characters');
  });

  it('--token-file in a directory others can write: one warning with its code, the token only printed', async () => {
    const shared = tempDir('aim-collector-shared-');
    chmodSync(shared, 0o777);
    const file = join(shared, 'token');
    const { url, stdout, stderr } = await runCollectorCli(['--token-file', file]);
    const token = /Authorization: Bearer (\S+)$/m.exec(stdout())![1];
    expect(existsSync(file)).toBe(false);
    expect(stderr().trim().split('\n')).toEqual([expect.stringMatching(/^aim warn AIM-L002: cannot write the control token to /)]);
    expect(await control(url, '/__aim/received', token)).toBe(200);
  });

  it('warns once, with its code, when bound to an address that is not loopback', async () => {
    const { url, stderr } = await runCollectorCli(['--host', '0.0.0.0']);
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    expect(stderr().trim().split('\n')).toEqual([expect.stringMatching(/^aim warn AIM-L001: aim collector is listening on 0\.0\.0\.0, not loopback/)]);
  });

  it('serves the demo agent with zero config and prints one line per report; stops on SIGTERM', async () => {
    const { url, child, stderr, stdout } = await runCollectorCli([]);
    expect(stdout()).toContain(DEMO_AGENT.id);
    const app = await runNode([fixture('app.cjs')], {
      FIXTURE_BUNDLE: reporter,
      FIXTURE_CAPS: 'file:read',
      AIM_URL: url,
      AIM_AGENT_ID: DEMO_AGENT.id,
      AIM_API_KEY: DEMO_KEY,
      TMPDIR: tempDir(),
    });
    expect(app.stderr).toBe('');
    await until(() => stderr().includes('granted file:read'));
    const lines = stderr().trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^aim collector: 200 GET agent demo-agent/),
      expect.stringMatching(/^aim collector: 200 POST detection demo-agent .*aim-sdk-integration \(sdk_integration\)/),
      expect.stringMatching(/^aim collector: 201 POST capabilities demo-agent +granted file:read$/),
    ]);
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('close', r));
    expect(code).toBe(0);
  });

  it('aim doctor says what is right and what is wrong, with exit codes 0 and 1', async () => {
    const key = newKey();
    const agent = newAgent('doctor-agent');
    const { url } = await runCollectorCli(['--no-demo', '--agent', `${agent.name}=${agent.id}:file:read,!system:exec`, '--key', key]);
    const doctor = (env: Record<string, string>) => runNode([cli, 'doctor'], env);

    const good = await doctor({ AIM_URL: url, AIM_API_KEY: key, AIM_AGENT_ID: agent.name });
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(`the key is accepted and the agent exists: doctor-agent (${agent.id})`);
    expect(good.stdout).toContain('revoked by an administrator (aim will not grant them again): system:exec');
    expect(good.stdout).toContain('Reporting to AIM would work.');

    const wrongKey = await doctor({ AIM_URL: url, AIM_API_KEY: newKey(), AIM_AGENT_ID: agent.id });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toContain('AIM refused the key (401)');

    const unknown = await doctor({ AIM_URL: url, AIM_API_KEY: key, AIM_AGENT_ID: 'someone-else' });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('AIM has no agent "someone-else" (404)');

    const down = await doctor({ AIM_URL: 'http://127.0.0.1:1', AIM_API_KEY: key, AIM_AGENT_ID: agent.id });
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('cannot reach http://127.0.0.1:1');

    const plain = await doctor({ AIM_URL: 'http://aim.example.com', AIM_API_KEY: key, AIM_AGENT_ID: agent.id });
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('plain http to a host that is not loopback');

    const missing = await doctor({});
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('AIM_API_KEY is not set');

    for (const r of [good, wrongKey, unknown, down, plain]) {
      expect(r.stdout + r.stderr).not.toContain(key.slice(9));
    }
  });
});
