import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../src/collector/index.js';
import { agentNameFor } from '../src/report/aim/agent-name.js';
import { readCredentialsFile, withRegistrationLock, writeCredentialsFile } from '../src/report/aim/credentials.js';
import { createAimReporter } from '../src/report/aim/entry.js';
import { FleetState } from '../src/report/aim/fleet.js';
import { createNodeHttpTransport, type Transport } from '../src/report/aim/http.js';
import { generateAgentKeyPair } from '../src/protocol/index.js';
import { configFor, FAST, makeInventory, newKey, sleep, tempDir, until, use } from './helpers/collector.js';

/** The signed generation in process: re-signing, the registration lock, the fleet state file. */
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** The routes of the signed generation's first slice; the capability report (issue 16) has its own tests. */
const seen = (c: Collector) => c.received().filter((r) => r.route !== 'capability-report').map((r) => `${r.route} ${r.status}`);

describe('signed generation (in process)', () => {
  it('a signature over other bytes than those sent is refused (401 signatureInvalid); the agent signs again and goes on', async () => {
    const key = newKey();
    const collector = await startCollector({ protocol: 'signed', agents: [], keys: [key], log: () => {} });
    cleanup.push(() => collector.close());
    const dir = tempDir();
    const config = configFor({
      AIM_API_KEY: key,
      AIM_URL: collector.url,
      AIM_PROTOCOL: 'signed',
      AIM_AGENT_NAME: 'tamper-test',
      AIM_CREDENTIALS_FILE: join(dir, 'creds.json'),
      AIM_SPOOL_DIR: join(dir, 'spool'),
    });
    // The first signed POST is signed over a body with one extra space: not the bytes sent.
    let tampered = 0;
    const transport = (url: URL, apiKey: string, ua: string): Transport => {
      const inner = createNodeHttpTransport(url, apiKey, ua);
      return {
        request: (method, path, body, opts) =>
          inner.request(method, path, body, {
            ...opts,
            ...(opts.sign && method === 'POST' && path.startsWith('/api/v1/sdk-api/') && tampered++ === 0
              ? { sign: (t: string, p: string | undefined) => opts.sign!(t, (p ?? '') + ' ') }
              : {}),
          }),
        close: () => inner.close(),
      };
    };
    const inventory = makeInventory();
    use(inventory, 'file:read');
    const r = createAimReporter(inventory, config, { timings: FAST, transport });
    cleanup.push(() => r.dispose());
    await until(() => collector.received().some((x) => x.route === 'detection' && x.status === 200));
    use(inventory, 'system:exec');
    await until(() => collector.received().some((x) => x.route === 'register'));
    await sleep(100);
    expect(seen(collector)).toEqual(['registration 201', 'detection 401', 'detection 200', 'register 201']);
    // A refused request is counted, its body not kept (issue 15: a flood of them must not grow the collector).
    expect(collector.received()[1]!.body).toBeUndefined();
    const refused = collector.received()[1]!;
    expect(refused.status).toBe(401);
    expect(statSync(join(dir, 'creds.json')).mode & 0o777).toBe(0o600);
  });

  it('auto: when the server changes generation, the remembered guess costs one request and the report goes on', async () => {
    const key = newKey();
    const dir = tempDir();
    const signedAim = await startCollector({ protocol: 'signed', agents: [], keys: [key], log: () => {} });
    const port = signedAim.port;
    const config = (url: string) =>
      configFor({
        AIM_API_KEY: key,
        AIM_URL: url,
        AIM_AGENT_NAME: 'switching-agent',
        AIM_CREDENTIALS_FILE: join(dir, 'creds.json'),
        AIM_SPOOL_DIR: join(dir, 'spool'),
      });
    const inventory = makeInventory();
    use(inventory, 'file:read');
    const first = createAimReporter(inventory, config(signedAim.url), { timings: FAST });
    await until(() => signedAim.received().some((x) => x.route === 'detection'));
    await first.flush(1000);
    first.dispose();
    expect(seen(signedAim)).toEqual(['registration 201', 'detection 200']);
    await signedAim.close();

    // The same URL now serves an API-key AIM that knows the agent by its name.
    const oldAim = await startCollector({ port, agents: [{ id: '0f8e7a52-3c1d-4b9e-8f00-1234567890ab', name: 'switching-agent' }], keys: [key], log: () => {} });
    cleanup.push(() => oldAim.close());
    use(inventory, 'system:exec');
    const second = createAimReporter(inventory, config(oldAim.url), { timings: FAST });
    cleanup.push(() => second.dispose());
    await until(() => oldAim.received().some((x) => x.route === 'capabilities'));
    await sleep(100);
    // One signed read refused (no API key), then the API-key generation sends what is new (an AIM
    // upgraded or downgraded in place keeps its data: what it acknowledged is not sent again).
    expect(seen(oldAim)).toEqual(['agent 401', 'agent 200', 'capabilities 201']);
    expect(oldAim.received()[2]!.body).toMatchObject({ capabilityType: 'system:exec' });
    expect(oldAim.received()[0]!.auth).toBe('none');
  });

  it('registration lock: concurrent callers register once and the others read the file', async () => {
    const dir = tempDir();
    const file = join(dir, 'agents', 'a.json');
    let registrations = 0;
    const register = async () => {
      registrations++;
      await sleep(100);
      const pair = generateAgentKeyPair();
      writeCredentialsFile(file, { agentId: '0f8e7a52-3c1d-4b9e-8f00-1234567890ab', ...pair });
      return 'registered';
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => withRegistrationLock(file, register, { waitMs: 5000, staleMs: 30_000, stepMs: 10 })));
    expect(registrations).toBe(1);
    expect(results.filter((r) => r.kind === 'mine')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'theirs')).toHaveLength(7);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readCredentialsFile(file)?.agentId).toBe('0f8e7a52-3c1d-4b9e-8f00-1234567890ab');
  });

  it('names the agent: AIM_AGENT_NAME, else package.json, else the entry file', () => {
    const repo = join(import.meta.dirname, '..');
    expect(agentNameFor('given', ['node', 'x.js'], '/')).toBe('given');
    expect(agentNameFor('', ['node', join(repo, 'fixtures', 'signed', 'app.mjs')], '/')).toBe('signed-demo-agent');
    expect(agentNameFor('', ['node', '/nonexistent-dir-aim/tool.mjs'], '/nonexistent-dir-aim')).toBe('tool');
  });

  it('fleet state: processes share what AIM acknowledged; detections come back after the refresh window', () => {
    const file = join(tempDir(), 's.state.json');
    const a = new FleetState(file);
    const b = new FleetState(file);
    a.ack(['cap:file:read', 'det:x|sdk_runtime', 'agent']);
    a.save();
    b.ack(['cap:system:exec']);
    b.save();
    const c = new FleetState(file);
    expect(c.ackedKeys().sort()).toEqual(['cap:file:read', 'cap:system:exec', 'det:x|sdk_runtime']);
    expect(c.ackedKeys(Date.now() + 13 * 3600 * 1000).sort()).toEqual(['cap:file:read', 'cap:system:exec']);
    c.setGeneration('signed');
    expect(new FleetState(file).generation).toBe('signed');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
