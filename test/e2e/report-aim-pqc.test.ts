import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../../src/collector/index.js';
import { hasMlDsa } from '../../src/platform/index.js';
import { startStandIn, type StandIn } from '../helpers/aim-standin.js';
import { repoRoot } from '../helpers/collector-bundle.js';
import { runNode } from '../helpers/collector-child.js';
import { newKey, tempDir } from '../helpers/collector.js';

/**
 * Post-quantum signatures end to end (issue 16 item 6): a real program (fixtures/signed/app.mjs)
 * under `--import dist/register.mjs` with AIM_SIGNATURE_ALGORITHM, against the collector and
 * against the independent stand-in of upstream's PQCAgentMiddleware. What is expected follows
 * from the Nodes: the program's (AIM_TEST_NODE) and the servers' (this one). On Node 20/22 the
 * program warns once (AIM-R017) and signs with Ed25519; on 24/26 its ML-DSA requests verify where
 * the server's Node can verify them. Needs `npx tsup`.
 */
const dist = process.env.AIM_TEST_DIST || join(repoRoot, 'dist');
const register = join(dist, 'register.mjs');
const built = existsSync(register) && existsSync(join(dist, 'reporter.cjs'));
const app = join(repoRoot, 'fixtures', 'signed', 'app.mjs');
const programNode = process.env.AIM_TEST_NODE || process.execPath;
const programHasMlDsa =
  spawnSync(programNode, ['-e', "try{require('node:crypto').generateKeyPairSync('ml-dsa-44');process.stdout.write('yes')}catch{process.stdout.write('no')}"], {
    encoding: 'utf8',
  }).stdout === 'yes';
const serverHasMlDsa = hasMlDsa();

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function sandbox(url: string, key: string) {
  const dir = tempDir('aim-pqc-');
  const tmp = join(dir, 'tmp');
  const config = join(dir, 'config');
  mkdirSync(tmp);
  mkdirSync(config);
  const run = (extra: Record<string, string> = {}) =>
    runNode(['--import', register, app], { AIM_API_KEY: key, AIM_URL: url, TMPDIR: tmp, XDG_STATE_HOME: tmp, XDG_CONFIG_HOME: config, ...extra }, 60_000);
  const credentials = () => {
    const d = join(config, 'aim', 'agents');
    const file = readdirSync(d).find((f) => f.endsWith('.json'))!;
    return { file: join(d, file), data: JSON.parse(readFileSync(join(d, file), 'utf8')) as Record<string, string> };
  };
  /** Forgets the fleet state (what AIM acknowledged, what signature it refused): as a new machine with the same credentials. */
  const forget = () => rmSync(join(tmp, 'aim', 'spool.state'), { recursive: true, force: true });
  return { run, credentials, tmp, config, forget };
}

const variantOf = (value: string) => (value === 'hybrid' ? 'ML-DSA-65' : value.toUpperCase());
const wireName = (value: string) => (value === 'hybrid' ? 'Ed25519+ML-DSA-65' : value === 'ed25519' ? undefined : value.toUpperCase());
const warnings = (stderr: string) => stderr.split('\n').filter(Boolean);

/** The collector's signed requests after the registration: route, status, X-Algorithm. */
const signedSeen = (c: Collector) =>
  c
    .received()
    .filter((r) => r.route !== 'registration')
    .map((r) => ({ route: r.route, status: Number(r.status), algorithm: r.headers['x-algorithm'] as string | undefined }));

describe.skipIf(!built)(`post-quantum signatures end to end (program on ${programHasMlDsa ? 'a Node with' : 'a Node without'} ML-DSA)`, () => {
  for (const value of ['ed25519', 'ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87', 'hybrid']) {
    it(`AIM_SIGNATURE_ALGORITHM=${value} against the collector`, async () => {
      const key = newKey();
      const collector = await startCollector({ protocol: 'signed', agents: [], keys: [key], log: () => {} });
      cleanup.push(() => collector.close());
      const t = sandbox(collector.url, key);
      const result = await t.run({ AIM_SIGNATURE_ALGORITHM: value });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('signed app\n');

      // The ML-DSA key is made at registration wherever the program's Node has ML-DSA, and kept in the 0600 file.
      const registration = collector.received().find((r) => r.route === 'registration')!;
      const creds = t.credentials();
      expect(statSync(creds.file).mode & 0o777).toBe(0o600);
      if (programHasMlDsa) {
        const variant = value === 'ed25519' ? 'ML-DSA-65' : variantOf(value);
        expect(registration.body).toMatchObject({ pqcKeyAlgorithm: variant, pqcPublicKey: creds.data.pqcPublicKey, hybridModeEnabled: value === 'hybrid' });
        expect(creds.data.pqcKeyAlgorithm).toBe(variant);
        expect(Buffer.from(creds.data.pqcPrivateKey!, 'base64')).toHaveLength(32);
        // The private halves are in no request.
        for (const r of collector.received()) {
          expect(JSON.stringify(r)).not.toContain(creds.data.pqcPrivateKey);
          expect(JSON.stringify(r)).not.toContain(creds.data.privateKey);
        }
      } else {
        expect(registration.body).not.toHaveProperty('pqcPublicKey');
        expect(creds.data.pqcPublicKey).toBeUndefined();
      }

      const seen = signedSeen(collector);
      expect(seen.length).toBeGreaterThan(0);
      const accepted = seen.filter((r) => r.status < 300);
      if (value === 'ed25519') {
        expect(result.stderr).toBe('');
        expect(seen.every((r) => r.algorithm === undefined && r.status < 300)).toBe(true);
      } else if (!programHasMlDsa) {
        // Node 20/22: one warning, every request Ed25519.
        expect(warnings(result.stderr)).toEqual([expect.stringContaining('aim warn AIM-R017:')]);
        expect(result.stderr).toContain(`asks for ${wireName(value)}`);
        expect(seen.every((r) => r.algorithm === undefined && r.status < 300)).toBe(true);
      } else if (serverHasMlDsa) {
        // Node 24/26 on both ends: every request signed as asked, and verified.
        expect(result.stderr).toBe('');
        expect(seen.every((r) => r.algorithm === wireName(value) && r.status < 300)).toBe(true);
      } else {
        // The collector's Node cannot verify ML-DSA, so it kept no key: refused once, then Ed25519, said once.
        expect(warnings(result.stderr)).toEqual([expect.stringContaining('aim warn AIM-R019:')]);
        expect(seen[0]).toMatchObject({ algorithm: wireName(value), status: 401 });
        expect(accepted.length).toBeGreaterThan(0);
        expect(accepted.every((r) => r.algorithm === undefined)).toBe(true);
      }
    }, 60_000);
  }

  it('aim doctor says which signature the reporter uses, and why not the one asked for', async () => {
    const key = newKey();
    const collector = await startCollector({ protocol: 'signed', agents: [], keys: [key], log: () => {} });
    cleanup.push(() => collector.close());
    const t = sandbox(collector.url, key);
    await t.run({ AIM_SIGNATURE_ALGORITHM: 'ml-dsa-65' });
    const doctor = (value: string) =>
      runNode([join(dist, 'cli.mjs'), 'doctor'], { AIM_API_KEY: key, AIM_URL: collector.url, AIM_AGENT_NAME: 'signed-demo-agent', AIM_SIGNATURE_ALGORITHM: value, TMPDIR: t.tmp, XDG_STATE_HOME: t.tmp, XDG_CONFIG_HOME: t.config }, 30_000);
    const plain = await doctor('ed25519');
    expect(plain.stdout).toContain('signature algorithm: Ed25519 (AIM_SIGNATURE_ALGORITHM: ed25519, the default)');
    const asked = await doctor('ml-dsa-65');
    if (!programHasMlDsa) expect(asked.stdout).toMatch(/signature: AIM_SIGNATURE_ALGORITHM asks for ML-DSA-65, but this Node .* has no ML-DSA .*\(AIM-R017\)/);
    else if (serverHasMlDsa) expect(asked.stdout).toContain('signature algorithm: ML-DSA-65 (AIM_SIGNATURE_ALGORITHM)');
    else expect(asked.stdout).toMatch(/signature: AIM refused the ML-DSA-65 signature .* Until then aim signs with Ed25519/);
    // A variant the credentials have no key of.
    if (programHasMlDsa) expect((await doctor('ml-dsa-87')).stdout).toContain('their ML-DSA key is ML-DSA-65');
    for (const d of [plain, asked]) {
      expect(d.code).toBe(0);
      expect(d.stdout + d.stderr).not.toContain(t.credentials().data.privateKey);
    }
  }, 60_000);

  describe.skipIf(!programHasMlDsa)('against the stand-in of upstream', () => {
    async function standIn(): Promise<{ s: StandIn; key: string }> {
      const key = newKey();
      const s = await startStandIn(key);
      cleanup.push(() => s.close());
      return { s, key };
    }
    const signedRequests = (s: StandIn, from = 0) => s.requests.slice(from).filter((r) => r.path !== '/api/v1/agents');

    /** What an administrator does in AIM: registers the agent's ML-DSA key, as a member (user JWT). */
    function registerPqcKey(s: StandIn, agentId: string, body: unknown): Promise<number> {
      const u = new URL(s.url);
      const text = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = request(
          { host: u.hostname, port: u.port, method: 'POST', path: `/api/v1/agents/${agentId}/pqc-key`, headers: { authorization: `Bearer ${s.memberToken}`, 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(text);
      });
    }

    it('ML-DSA-65: AIM has no key for the agent yet (its registration reads none): one warning, Ed25519; once a member registers the key, ML-DSA requests verify', async () => {
      const { s, key } = await standIn();
      const t = sandbox(s.url, key);
      const first = await t.run({ AIM_SIGNATURE_ALGORITHM: 'ml-dsa-65' });
      expect(first.code).toBe(0);
      expect(warnings(first.stderr)).toEqual([expect.stringContaining('aim warn AIM-R019:')]);
      expect(first.stderr).toContain('agent has no registered ML-DSA public key');
      expect(first.stderr).toContain('/pqc-key');
      const seen = signedRequests(s);
      expect(seen[0]).toMatchObject({ algorithm: 'ML-DSA-65', status: 401, answer: { error: 'agent has no registered ML-DSA public key' } });
      expect(seen.slice(1).every((r) => r.algorithm === 'Ed25519' && r.status < 300)).toBe(true);

      // The agent's next process remembers the refusal (the fleet state, an hour): no ML-DSA request, the same warning.
      const m = s.requests.length;
      const again = await t.run({ AIM_SIGNATURE_ALGORITHM: 'ml-dsa-65', FIXTURE_EXEC: '1' });
      expect(warnings(again.stderr)).toEqual([expect.stringContaining('asked again an hour after')]);
      expect(signedRequests(s, m).length).toBeGreaterThan(0);
      expect(signedRequests(s, m).every((r) => r.algorithm === 'Ed25519' && r.status < 300)).toBe(true);

      const creds = t.credentials().data;
      expect(await registerPqcKey(s, creds.agentId!, { publicKey: creds.pqcPublicKey, algorithm: 'ML-DSA-65', enableHybrid: false })).toBe(200);
      t.forget();
      const n = s.requests.length;
      // A process without the memory (another machine, or an hour later) signs with ML-DSA-65.
      const second = await t.run({ AIM_SIGNATURE_ALGORITHM: 'ml-dsa-65', FIXTURE_EXEC: '1' });
      expect(second.code).toBe(0);
      const later = signedRequests(s, n);
      expect(later.length).toBeGreaterThan(0);
      if (s.canVerifyMlDsa) {
        expect(second.stderr).toBe('');
        expect(later.every((r) => r.algorithm === 'ML-DSA-65' && r.status < 300)).toBe(true);
      } else {
        // This Node cannot check ML-DSA for the stand-in (upstream's Go can): refused, then Ed25519.
        expect(later.filter((r) => r.status < 300).every((r) => r.algorithm === 'Ed25519')).toBe(true);
      }
    }, 90_000);

    it('hybrid: upstream refuses every hybrid request (the key size of the hybrid name); aim goes on with ML-DSA-65 alone, said once', async () => {
      const { s, key } = await standIn();
      const t = sandbox(s.url, key);
      // First run registers (no ML-DSA key at AIM yet: Ed25519 after one warning).
      await t.run({ AIM_SIGNATURE_ALGORITHM: 'hybrid' });
      const creds = t.credentials().data;
      expect(creds.pqcKeyAlgorithm).toBe('ML-DSA-65');
      expect(await registerPqcKey(s, creds.agentId!, { publicKey: creds.pqcPublicKey, algorithm: 'Ed25519+ML-DSA-65', enableHybrid: true })).toBe(200);
      t.forget();
      const n = s.requests.length;
      const second = await t.run({ AIM_SIGNATURE_ALGORITHM: 'hybrid', FIXTURE_EXEC: '1' });
      expect(second.code).toBe(0);
      const later = signedRequests(s, n);
      expect(later[0]).toMatchObject({ algorithm: 'Ed25519+ML-DSA-65', status: 401, answer: { error: 'unsupported ML-DSA algorithm in hybrid mode: Ed25519+ML-DSA-65' } });
      expect(warnings(second.stderr)).toEqual([expect.stringContaining('aim warn AIM-R019:')]);
      if (s.canVerifyMlDsa) {
        expect(second.stderr).toContain('accepted ML-DSA-65');
        expect(later.slice(1).every((r) => r.algorithm === 'ML-DSA-65' && r.status < 300)).toBe(true);
      } else {
        expect(second.stderr).toContain('accepted Ed25519');
      }
    }, 90_000);
  });

  it.skipIf(programHasMlDsa)('against the stand-in on a Node without ML-DSA: one warning, Ed25519 requests upstream accepts', async () => {
    const key = newKey();
    const s = await startStandIn(key);
    cleanup.push(() => s.close());
    const t = sandbox(s.url, key);
    const result = await t.run({ AIM_SIGNATURE_ALGORITHM: 'hybrid' });
    expect(result.code).toBe(0);
    expect(warnings(result.stderr)).toEqual([expect.stringContaining('aim warn AIM-R017:')]);
    const signed = s.requests.filter((r) => r.path !== '/api/v1/agents');
    expect(signed.length).toBeGreaterThan(0);
    expect(signed.every((r) => r.algorithm === 'Ed25519' && r.status < 300)).toBe(true);
  }, 60_000);
});
