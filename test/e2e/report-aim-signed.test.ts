import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_KEY, startCollector, type Collector, type CollectorOptions } from '../../src/collector/index.js';
import { repoRoot } from '../helpers/collector-bundle.js';
import { allFiles, cleanEnv, runNode, type ChildResult } from '../helpers/collector-child.js';
import { newAgent, newKey, tempDir } from '../helpers/collector.js';

/**
 * AIM's signed generation end to end: real programs (fixtures/signed/app.mjs, package name
 * `signed-demo-agent`) under `--import dist/register.mjs`, reporting to the collector playing a
 * current AIM (`protocol: 'signed'`), with nothing but AIM_API_KEY and AIM_URL. Needs `npx tsup`.
 */
const dist = process.env.AIM_TEST_DIST || join(repoRoot, 'dist');
const register = join(dist, 'register.mjs');
const built = existsSync(register) && existsSync(join(dist, 'reporter.cjs'));
const app = join(repoRoot, 'fixtures', 'signed', 'app.mjs');

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(options: CollectorOptions = {}) {
  const key = newKey();
  const dir = tempDir('aim-signed-');
  const store = join(dir, 'store.jsonl');
  const collector = await startCollector({ protocol: 'signed', agents: [], keys: [key], store, log: () => {}, ...options });
  cleanup.push(() => collector.close());
  const tmp = join(dir, 'tmp');
  const config = join(dir, 'config');
  mkdirSync(tmp);
  mkdirSync(config);
  const outputs: ChildResult[] = [];
  const env = (extra: Record<string, string> = {}) => ({
    AIM_API_KEY: key,
    AIM_URL: collector.url,
    // Kept apart per test: the default spool/state directory and config directory.
    TMPDIR: tmp,
    XDG_STATE_HOME: tmp,
    XDG_CONFIG_HOME: config,
    ...extra,
  });
  const run = async (extra: Record<string, string> = {}) => {
    const r = await runNode(['--import', register, app], env(extra), 60_000);
    outputs.push(r);
    return r;
  };
  const credentialFiles = () => {
    const d = join(config, 'aim', 'agents');
    return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f)) : [];
  };
  return { key, dir, tmp, config, store, collector, env, run, outputs, credentialFiles };
}

/** The routes of the signed generation's first slice; the capability report (issue 16) is checked on its own. */
const seen = (c: Collector, from = 0) =>
  c.received().slice(from).filter((r) => r.route !== 'capability-report').map((r) => `${r.route} ${r.status}`);
const agentNamed = (c: Collector, name: string) => [...c.state.agents.values()].find((a) => a.name === name);
const active = (c: Collector, name: string) =>
  (agentNamed(c, name)?.capabilities ?? []).filter((x) => !x.revokedAt).map((x) => x.capabilityType).sort();

describe.skipIf(!built)('AIM signed generation end to end (dist/register.mjs)', () => {
  it('registers with the deployment identity: AIM_AGENT_VERSION as the version, AIM_ENVIRONMENT and AIM_TAGS in the metadata', async () => {
    const t = await setup();
    const result = await t.run({ AIM_ENVIRONMENT: 'production', AIM_AGENT_VERSION: '2.3.1', AIM_TAGS: 'team:ml' });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const registration = t.collector.received().find((r) => r.route === 'registration')!;
    expect(registration.body).toMatchObject({ version: '2.3.1', metadata: { source: 'aim-node', environment: 'production', tags: ['team:ml'] } });
  });

  it('zero config: only AIM_API_KEY and AIM_URL registers the agent, signs every call, and keeps the private key in a 0600 file only', async () => {
    const t = await setup();
    const first = await t.run();
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('signed app\n');
    expect(first.stderr).toBe('');
    // auto without AIM_AGENT_ID: the current generation first, which registers the agent itself.
    expect(seen(t.collector)).toEqual(['registration 201', 'detection 200']);
    expect(active(t.collector, 'signed-demo-agent')).toEqual(['file:read']);
    const files = t.credentialFiles();
    expect(files).toHaveLength(1);
    expect(statSync(files[0]!).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(readFileSync(files[0]!, 'utf8')) as { agentId: string; publicKey: string; privateKey: string };
    expect(creds.agentId).toBe(agentNamed(t.collector, 'signed-demo-agent')!.id);
    expect(Buffer.from(creds.privateKey, 'base64')).toHaveLength(32);

    // A later run: the generation is remembered (no probe), only what is new is sent, signed.
    const second = await t.run({ FIXTURE_EXEC: '1' });
    expect(second.stderr).toBe('');
    expect(seen(t.collector, 2)).toEqual(['agent 200', 'register 201']);
    expect(active(t.collector, 'signed-demo-agent')).toEqual(['file:read', 'system:exec']);
    // The capability report (within the first run's flush bound, or the next run's).
    expect(t.collector.received().some((r) => r.route === 'capability-report' && r.status === 200)).toBe(true);
    for (const r of t.collector.received().filter((x) => x.path.startsWith('/api/v1/sdk-api/') && x.status !== 401)) {
      expect(r.auth).toBe('signature');
      expect(r.headers['x-api-key']).toBeUndefined();
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers['x-public-key']).toBe(creds.publicKey);
    }
    // The key went only into the registration.
    expect(t.collector.received().filter((x) => x.headers['x-api-key']).map((x) => x.route)).toEqual(['registration']);

    // The private key (and the API key) appear in no output, no store, no spool or state file.
    const secretsIn = [
      ...t.outputs.flatMap((o) => [o.stdout, o.stderr]),
      readFileSync(t.store, 'utf8'),
      ...allFiles(t.tmp).map((f) => f.text),
    ];
    for (const text of secretsIn) {
      expect(text).not.toContain(creds.privateKey);
      expect(text).not.toContain(t.key);
    }
  }, 60_000);

  it('a restart with an unchanged inventory sends nothing; a revoked capability stays revoked across restarts', async () => {
    const t = await setup();
    await t.run({ FIXTURE_EXEC: '1' });
    const agent = agentNamed(t.collector, 'signed-demo-agent')!;
    expect(active(t.collector, 'signed-demo-agent')).toEqual(['file:read', 'system:exec']);
    const n = t.collector.received().length;
    const again = await t.run({ FIXTURE_EXEC: '1' });
    expect(again.stderr).toBe('');
    expect(seen(t.collector, n)).toEqual([]);

    // An administrator revokes system:exec. Restarts (same machine, and a replica without the
    // state files but with the credentials) never register it again.
    t.collector.revoke(agent.id, 'system:exec');
    await t.run({ FIXTURE_EXEC: '1' });
    rmSync(t.tmp, { recursive: true, force: true });
    mkdirSync(t.tmp);
    const m = t.collector.received().length;
    const replica = await t.run({ FIXTURE_EXEC: '1' });
    expect(replica.stderr).toBe('');
    expect(seen(t.collector, m)).toEqual(['agent 200', 'detection 200']);
    expect(t.collector.received().filter((r) => r.route === 'register')).toEqual([]);
    expect(active(t.collector, 'signed-demo-agent')).toEqual(['file:read']);
  }, 60_000);

  it('a restart whose only news is tool usage sends that usage, signed, with no internal error', async () => {
    const t = await setup();
    const typical = join(repoRoot, 'fixtures', 'report', 'typical-agent.mjs');
    const first = await runNode(['--import', register, typical], t.env(), 60_000);
    expect(first.stderr).toBe('');
    const n = t.collector.received().length;
    // The same program again: the same capabilities and server, one more tool call.
    const again = await runNode(['--import', register, typical], t.env(), 60_000);
    expect(again.stderr).toBe('');
    const later = t.collector.received().slice(n);
    expect(later.map((r) => `${r.route} ${r.status}`)).toEqual(['mcp-usage-report 200']);
    expect(later[0]!.headers['x-signature']).toBeTruthy();
  }, 60_000);

  it('20 processes started at once register the agent once', async () => {
    const t = await setup();
    const results = await Promise.all(Array.from({ length: 20 }, () => t.run({ FIXTURE_STAY_MS: '2500' })));
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
    }
    const registrations = t.collector.received().filter((r) => r.route === 'registration');
    expect(registrations.map((r) => r.status)).toEqual([201]);
    expect(t.credentialFiles()).toHaveLength(1);
    expect([...t.collector.state.agents.values()]).toHaveLength(1);
    // Every signed call went through (no 401 but the probes, no 403), all under one agent.
    const signed = t.collector.received().filter((r) => r.auth === 'signature');
    expect(signed.length).toBeGreaterThan(0);
    expect(signed.filter((r) => r.status === 401 || r.status === 403)).toEqual([]);
    expect(new Set(signed.map((r) => r.agentId))).toEqual(new Set([agentNamed(t.collector, 'signed-demo-agent')!.id]));
  }, 120_000);

  it('an old timestamp is refused and the agent recovers with the server clock from Date', async () => {
    const t = await setup({ clockOffsetMs: 120_000 });
    const r = await t.run();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(seen(t.collector)).toEqual(['registration 201', 'detection 401', 'detection 200']);
    // Re-signed with the server's time: about 120 s later than the refused timestamp.
    const [refused, accepted] = t.collector.received().slice(1, 3);
    expect(Number(accepted!.headers['x-timestamp']) - Number(refused!.headers['x-timestamp'])).toBeGreaterThanOrEqual(110);
    expect(accepted!.headers['x-signature']).not.toBe(refused!.headers['x-signature']);
    // The next process signs with the corrected clock from the start.
    const n = t.collector.received().length;
    await t.run({ FIXTURE_EXEC: '1' });
    expect(seen(t.collector, n)).toEqual(['agent 200', 'register 201']);
  }, 60_000);

  it('strict enforcement: 202 is pending, recorded as pending, not asked again', async () => {
    const t = await setup({ enforcement: 'strict' });
    await t.run();
    const out = join(t.dir, 'out');
    const r = await t.run({ FIXTURE_EXEC: '1', AIM_LOG_LEVEL: 'info', AIM_OUTPUT: out });
    expect(r.stderr).toMatch(/AIM-R015.*system:exec.*pending/);
    // The inventory says so too.
    const [inventoryFile] = readdirSync(out).filter((f) => /^\d+\.json$/.test(f));
    const inventory = JSON.parse(readFileSync(join(out, inventoryFile!), 'utf8')) as { agent: { pendingApproval?: string[] } };
    expect(inventory.agent.pendingApproval).toEqual(['system:exec']);
    const reg = t.collector.received().filter((x) => x.route === 'register');
    expect(reg.map((x) => x.status)).toEqual([202]);
    expect(agentNamed(t.collector, 'signed-demo-agent')!.capabilityRequests).toEqual([{ type: 'system:exec', status: 'pending' }]);
    const n = t.collector.received().length;
    await t.run({ FIXTURE_EXEC: '1' });
    expect(seen(t.collector, n)).toEqual([]);
    const state = allFiles(t.tmp).find((f) => f.path.endsWith('.state.json'));
    expect(JSON.parse(state!.text).pending).toHaveProperty(['system:exec']);
  }, 60_000);

  it('409 on registration (name taken, key lost): one clear warning with the recovery steps, no private key anywhere', async () => {
    const t = await setup();
    await t.run();
    // Another machine (no credentials file) with the same name.
    rmSync(join(t.config, 'aim'), { recursive: true, force: true });
    rmSync(t.tmp, { recursive: true, force: true });
    mkdirSync(t.tmp);
    const r = await t.run();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('signed app\n');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/AIM-R004.*signed-demo-agent.*409.*AIM_AGENT_ID and AIM_PRIVATE_KEY.*AIM_AGENT_NAME/);
    expect(seen(t.collector).slice(-1)).toEqual(['registration 409']);

    // A fleet of that other machine starting at once asks AIM once; each process says it once.
    rmSync(t.tmp, { recursive: true, force: true });
    mkdirSync(t.tmp);
    const n = t.collector.received().length;
    const fleet = await Promise.all(Array.from({ length: 5 }, () => t.run()));
    for (const f of fleet) expect(f.stderr.trim().split('\n')).toEqual([expect.stringMatching(/AIM-R004.*409/)]);
    expect(seen(t.collector, n)).toEqual(['registration 409']);
  }, 60_000);

  it('AIM_AGENT_ID + AIM_PRIVATE_KEY from the environment (no file); AIM_CAPABILITIES=request and off', async () => {
    const t = await setup();
    await t.run();
    const creds = JSON.parse(readFileSync(t.credentialFiles()[0]!, 'utf8')) as { agentId: string; privateKey: string };
    rmSync(join(t.config, 'aim'), { recursive: true, force: true });
    const env = { AIM_AGENT_ID: creds.agentId, AIM_PRIVATE_KEY: creds.privateKey, AIM_PROTOCOL: 'signed' };
    const n = t.collector.received().length;
    const output = join(t.dir, 'inventories');
    mkdirSync(output);
    const requested = await t.run({ ...env, FIXTURE_EXEC: '1', AIM_CAPABILITIES: 'request', AIM_OUTPUT: output });
    // The inventory the process wrote, and everything sent, never carry the private key.
    expect(allFiles(output).length).toBeGreaterThan(0);
    for (const f of allFiles(output)) expect(f.text).not.toContain(creds.privateKey);
    expect(readFileSync(t.store, 'utf8')).not.toContain(creds.privateKey);
    expect(requested.stderr).toBe('');
    // Another agent reference (its UUID, not its name): its own state file, so detections go once more.
    expect(seen(t.collector, n)).toEqual(['agent 200', 'detection 200', 'capability-requests 201']);
    const req = t.collector.received().filter((r) => r.route === 'capability-requests').at(-1)!;
    expect(req.body).toMatchObject({ capability_type: 'system:exec' });
    expect((req.body as { reason: string }).reason).toMatch(/system:exec/);
    expect(t.credentialFiles()).toEqual([]);
    expect(requested.stderr + requested.stdout).not.toContain(creds.privateKey);

    // off: MCP servers only; the integration entry lists no capabilities.
    const u = await setup();
    const off = await u.run({ FIXTURE_EXEC: '1', AIM_CAPABILITIES: 'off' });
    expect(off.stderr).toBe('');
    expect(seen(u.collector)).toEqual(['registration 201', 'detection 200']);
    expect(active(u.collector, 'signed-demo-agent')).toEqual([]);
    const det = u.collector.received().find((r) => r.route === 'detection')!.body as { detections: { details: { capabilities: string[] } }[] };
    expect(det.detections[0]!.details.capabilities).toEqual([]);
  }, 60_000);
});

describe.skipIf(!built)('aim doctor and aim collector in the signed generation', () => {
  it('doctor reports the generation, credentials file and mode, agent status, clock skew, pending and revoked capabilities', async () => {
    const t = await setup({ enforcement: 'strict' });
    await t.run();
    await t.run({ FIXTURE_EXEC: '1' });
    const agent = agentNamed(t.collector, 'signed-demo-agent')!;
    t.collector.revoke(agent.id, 'file:read');
    const doctor = () => runNode([join(dist, 'cli.mjs'), 'doctor'], t.env({ AIM_AGENT_NAME: 'signed-demo-agent' }), 30_000);
    const d = await doctor();
    expect(d.stdout).toContain('protocol generation: signed (found by an earlier run)');
    expect(d.stdout).toMatch(/ok {4}credentials file .*signed-demo-agent-\w+\.json \(mode 0600\), agent /);
    expect(d.stdout).toContain(`agent signed-demo-agent (${agent.id}), status pending`);
    expect(d.stdout).toMatch(/clock skew to AIM: -?\d+ s/);
    expect(d.stdout).toContain('revoked by an administrator (aim will not grant them again): file:read');
    expect(d.stdout).toContain("pending an administrator's approval: system:exec");
    expect(d.code).toBe(0);
    const creds = JSON.parse(readFileSync(t.credentialFiles()[0]!, 'utf8')) as { privateKey: string };
    expect(d.stdout + d.stderr).not.toContain(creds.privateKey);
    expect(d.stdout + d.stderr).not.toContain(t.key);
    chmodSync(t.credentialFiles()[0]!, 0o644);
    const loose = await doctor();
    expect(loose.code).toBe(1);
    expect(loose.stdout).toMatch(/FAIL {2}the credentials file .* has mode 0644/);
  }, 60_000);

  it('aim collector --protocol signed: a program with only AIM_API_KEY and AIM_URL reports to it', async () => {
    const child = spawn(process.execPath, [join(dist, 'cli.mjs'), 'collector', '--port', '0', '--protocol', 'signed', '--quiet'], {
      env: cleanEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanup.push(() => child.kill('SIGTERM'));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const [url, token] = await new Promise<[string, string]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no url: ${out}`)), 20_000);
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+) \(signed generation\)[^]*Authorization: Bearer (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve([m[1]!, m[2]!]);
        }
      });
    });
    const dir = tempDir('aim-cli-signed-');
    const r = await runNode(['--import', register, app], { AIM_API_KEY: DEMO_KEY, AIM_URL: url, TMPDIR: dir, XDG_STATE_HOME: dir, XDG_CONFIG_HOME: dir }, 60_000);
    expect(r.stderr).toBe('');
    const received = (await (await fetch(`${url}/__aim/received`, { headers: { authorization: `Bearer ${token}` } })).json()) as { route: string; status: number }[];
    expect(received.filter((x) => x.route !== 'capability-report').map((x) => `${x.route} ${x.status}`)).toEqual(['registration 201', 'detection 200']);
  }, 60_000);
});

describe.skipIf(!built)('AIM API-key generation with zero config (auto)', () => {
  it('only AIM_API_KEY and AIM_URL: one registration attempt finds an older AIM, then the agent is found by the app name', async () => {
    const key = newKey();
    const agent = newAgent('signed-demo-agent');
    const collector = await startCollector({ agents: [agent], keys: [key], log: () => {} });
    cleanup.push(() => collector.close());
    const dir = tempDir('aim-apikey-');
    const env = { AIM_API_KEY: key, AIM_URL: collector.url, TMPDIR: dir, XDG_STATE_HOME: dir, XDG_CONFIG_HOME: dir };
    const r = await runNode(['--import', register, app], { ...env, FIXTURE_EXEC: '1' }, 60_000);
    expect(r.stderr).toBe('');
    expect(seen(collector)).toEqual(['registration 404', 'agent 200', 'detection 200', 'capabilities 201', 'capabilities 201']);
    expect(collector.received()[1]!.path).toBe('/api/v1/sdk-api/agents/signed-demo-agent');
    // Nothing kept from the refused registration.
    expect(existsSync(join(dir, 'aim', 'agents'))).toBe(true);
    expect(readdirSync(join(dir, 'aim', 'agents')).filter((f) => f.endsWith('.json'))).toEqual([]);
    // Restart, unchanged: nothing sent.
    const n = collector.received().length;
    await runNode(['--import', register, app], { ...env, FIXTURE_EXEC: '1' }, 60_000);
    expect(seen(collector, n)).toEqual([]);
  }, 60_000);
});
