import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signatureAlgorithmOf, SIGNATURE_ALGORITHM } from '../src/config/schema.js';
import { loadConfig } from '../src/config/index.js';
import { hasMlDsa } from '../src/platform/index.js';
import {
  generateAgentKeyPair,
  generateMlDsaKeyPair,
  mlDsaPrivateKey,
  mlDsaPublicKeyOf,
  privateKeyFromBase64,
  signRequest,
  verifyRequest,
  type Algorithm,
  type MlDsaVariant,
} from '../src/protocol/index.js';
import { readCredentialsFile, type Credentials } from '../src/report/aim/credentials.js';
import type { SignatureMemo } from '../src/report/aim/fleet.js';
import { chooseAlgorithm, createSigner, refusedSignature, SIGNATURE_MEMO_MS, weakerThan } from '../src/report/aim/signer.js';

/**
 * Post-quantum request signatures (pqc_agent_auth.go's headers and bytes): round trips of each
 * algorithm through the shared signer and verifier, tampered requests refused, a hybrid needing
 * both signatures; the setting's names; the way down when this Node or the credentials cannot.
 * The ML-DSA round trips need a Node with ML-DSA (24+): run this file on one with
 * `~/.cache/aim-node/24/.../node node_modules/vitest/vitest.mjs run test/protocol-pqc.test.ts`.
 */
const mlDsa = hasMlDsa();
const agentId = '0f8e7a52-3c1d-4b9e-8f00-1234567890ab';
const now = 1_800_000_000;
const ed = generateAgentKeyPair();
const edKey = privateKeyFromBase64(ed.privateKey)!;

afterEach(() => vi.restoreAllMocks());

function pqcPair(variant: MlDsaVariant) {
  const pair = generateMlDsaKeyPair(variant)!;
  return { pair, key: mlDsaPrivateKey(variant, pair.privateKey)! };
}

function signed(algorithm: Algorithm, variant: MlDsaVariant, body = '{"a":1}') {
  const { pair, key } = pqcPair(variant);
  const headers = signRequest({
    method: 'POST',
    target: '/api/v1/sdk-api/agents/x/heartbeat?y=1',
    body,
    agentId,
    publicKey: ed.publicKey,
    privateKey: edKey,
    timestamp: now,
    algorithm,
    mlDsa: { publicKey: pair.publicKey, privateKey: key },
  });
  const verifyWith = (over: { body?: string; headers?: Record<string, string | undefined>; pqcKey?: string | undefined } = {}) =>
    verifyRequest({
      method: 'POST',
      target: '/api/v1/sdk-api/agents/x/heartbeat?y=1',
      body: over.body ?? body,
      headers: { ...headers, ...over.headers },
      registeredKey: () => ed.publicKey,
      registeredPqcKey: () => ('pqcKey' in over ? over.pqcKey : pair.publicKey),
      now,
    });
  return { headers, pair, verifyWith };
}

describe('AIM_SIGNATURE_ALGORITHM', () => {
  it("reads ours and AIM's names into AIM's X-Algorithm values", () => {
    const cases: [string, Algorithm][] = [
      ['ed25519', 'Ed25519'],
      ['ML-DSA-44', 'ML-DSA-44'],
      ['ml-dsa-65', 'ML-DSA-65'],
      ['ml-dsa-87', 'ML-DSA-87'],
      ['hybrid', 'Ed25519+ML-DSA-65'],
      ['hybrid-ml-dsa-44', 'Ed25519+ML-DSA-44'],
      ['Ed25519+ML-DSA-87', 'Ed25519+ML-DSA-87'],
    ];
    for (const [value, algorithm] of cases) {
      expect(SIGNATURE_ALGORITHM.test(value)).toBe(true);
      expect(signatureAlgorithmOf(value)).toBe(algorithm);
      expect(loadConfig({ AIM_SIGNATURE_ALGORITHM: value }).signatureAlgorithm).toBe(algorithm);
    }
    expect(loadConfig({}).signatureAlgorithm).toBe('Ed25519');
  });

  it('a value it does not know: one warning, Ed25519', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(loadConfig({ AIM_SIGNATURE_ALGORITHM: 'rsa' }).signatureAlgorithm).toBe('Ed25519');
    const lines = stderr.mock.calls.map(([l]) => String(l)).filter((l) => l.includes('AIM_SIGNATURE_ALGORITHM'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('AIM-C001-AIM_SIGNATURE_ALGORITHM');
  });
});

describe('the way down', () => {
  it('a hybrid goes to its ML-DSA alone, ML-DSA to Ed25519, Ed25519 nowhere', () => {
    expect(weakerThan('Ed25519+ML-DSA-87')).toBe('ML-DSA-87');
    expect(weakerThan('ML-DSA-44')).toBe('Ed25519');
    expect(weakerThan('Ed25519')).toBeUndefined();
  });

  it('what counts as AIM refusing the signature (not the clock)', () => {
    const r = (status: number, body: unknown) => ({ status, body, headers: {} });
    const timestamp = (b: unknown) => /timestamp/i.test(JSON.stringify(b));
    expect(refusedSignature(r(401, { error: 'agent has no registered ML-DSA public key' }), timestamp)).toBe(true);
    expect(refusedSignature(r(400, { error: 'Unsupported algorithm: ML-DSA-65' }), timestamp)).toBe(true);
    expect(refusedSignature(r(431, ''), timestamp)).toBe(true);
    expect(refusedSignature(r(401, { error: 'Request timestamp expired or invalid' }), timestamp)).toBe(false);
    expect(refusedSignature(r(400, { error: 'Invalid request body' }), timestamp)).toBe(false);
    expect(refusedSignature(r(200, {}), timestamp)).toBe(false);
  });

  const base: Credentials = { agentId, publicKey: ed.publicKey, privateKey: ed.privateKey };

  it.skipIf(mlDsa)('on a Node without ML-DSA: Ed25519, with AIM-R017 once', () => {
    expect(chooseAlgorithm(base, 'ML-DSA-65', 'f')).toMatchObject({ algorithm: 'Ed25519', problem: { code: 'AIM-R017' } });
    expect(generateMlDsaKeyPair('ML-DSA-65')).toBeUndefined();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const signer = createSigner(base, 'Ed25519+ML-DSA-65', 'f');
    createSigner(base, 'ML-DSA-44', 'f');
    expect(signer.algorithm).toBe('Ed25519');
    const headers = signer.headers(signer.algorithm, 'GET', '/x', undefined, now);
    expect(headers['x-algorithm']).toBeUndefined();
    expect(verifyRequest({ method: 'GET', target: '/x', body: '', headers, registeredKey: () => ed.publicKey, now })).toMatchObject({ ok: true, algorithm: 'Ed25519' });
    const said = stderr.mock.calls.map(([l]) => String(l)).join('');
    expect(said.match(/AIM-R017/g) ?? []).toHaveLength(1);
  });

  it('Ed25519 asked: never a warning, never an ML-DSA key needed', () => {
    expect(chooseAlgorithm(base, 'Ed25519', 'f')).toEqual({ algorithm: 'Ed25519' });
  });

  it.skipIf(!mlDsa)('credentials without an ML-DSA key (older files, AIM_PRIVATE_KEY), or of another variant: Ed25519, AIM-R018', () => {
    expect(chooseAlgorithm(base, 'ML-DSA-65', 'f')).toMatchObject({ algorithm: 'Ed25519', problem: { code: 'AIM-R018' } });
    const { pair } = pqcPair('ML-DSA-44');
    const with44 = { ...base, pqcKeyAlgorithm: 'ML-DSA-44' as const, pqcPublicKey: pair.publicKey, pqcPrivateKey: pair.privateKey };
    expect(chooseAlgorithm(with44, 'Ed25519+ML-DSA-65', 'f').problem?.text).toContain('their ML-DSA key is ML-DSA-44');
    expect(chooseAlgorithm(with44, 'Ed25519+ML-DSA-44', 'f')).toEqual({ algorithm: 'Ed25519+ML-DSA-44' });
    // A public half that is not the seed's: not used.
    const other = pqcPair('ML-DSA-44').pair.publicKey;
    expect(chooseAlgorithm({ ...with44, pqcPublicKey: other }, 'ML-DSA-44', 'f').problem?.text).toContain('not valid');
  });
});

describe('credentials files', () => {
  it('a file written before ML-DSA reads as before; one with a key keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aim-pqc-'));
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ agentId, publicKey: ed.publicKey, privateKey: ed.privateKey, createdAt: 'x' }));
    expect(readCredentialsFile(old)).toEqual({ agentId, publicKey: ed.publicKey, privateKey: ed.privateKey });
    const withKey = join(dir, 'new.json');
    writeFileSync(withKey, JSON.stringify({ agentId, publicKey: ed.publicKey, privateKey: ed.privateKey, pqcKeyAlgorithm: 'ML-DSA-65', pqcPublicKey: 'AAAA', pqcPrivateKey: 'BBBB' }));
    expect(readCredentialsFile(withKey)).toMatchObject({ pqcKeyAlgorithm: 'ML-DSA-65', pqcPublicKey: 'AAAA' });
    // An unknown variant is left out, the file still reads.
    writeFileSync(withKey, JSON.stringify({ agentId, publicKey: ed.publicKey, privateKey: ed.privateKey, pqcKeyAlgorithm: 'ML-DSA-99', pqcPublicKey: 'A', pqcPrivateKey: 'B' }));
    expect(readCredentialsFile(withKey)).toEqual({ agentId, publicKey: ed.publicKey, privateKey: ed.privateKey });
  });
});

describe('verifying without ML-DSA keys', () => {
  it('an unknown X-Algorithm is a 400; ML-DSA for an agent with no ML-DSA key is refused in upstream words', () => {
    const headers = signRequest({ method: 'GET', target: '/x', agentId, publicKey: ed.publicKey, privateKey: edKey, timestamp: now });
    const verify = (extra: Record<string, string>) => verifyRequest({ method: 'GET', target: '/x', body: '', headers: { ...headers, ...extra }, registeredKey: () => ed.publicKey, now });
    expect(verify({ 'x-algorithm': 'RSA-2048' })).toMatchObject({ ok: false, status: 400, error: 'Unsupported algorithm: RSA-2048' });
    expect(verify({ 'x-algorithm': 'ML-DSA-65' })).toMatchObject({ ok: false, status: 401, error: 'agent has no registered ML-DSA public key' });
    expect(verify({ 'x-algorithm': 'Ed25519+ML-DSA-65' })).toMatchObject({ ok: false, error: 'Agent does not have PQC key registered for hybrid mode' });
    expect(verify({ 'x-algorithm': 'Ed25519' })).toMatchObject({ ok: true, algorithm: 'Ed25519' });
  });
});

describe.skipIf(!mlDsa)('ML-DSA request signatures (node:crypto ml-dsa)', () => {
  it('keys are the sizes AIM checks; the seed gives back the same public key', () => {
    for (const [variant, size] of [['ML-DSA-44', 1312], ['ML-DSA-65', 1952], ['ML-DSA-87', 2592]] as const) {
      const { pair, key } = pqcPair(variant);
      expect(Buffer.from(pair.publicKey, 'base64')).toHaveLength(size);
      expect(Buffer.from(pair.privateKey, 'base64')).toHaveLength(32);
      expect(mlDsaPublicKeyOf(variant, key)).toBe(pair.publicKey);
    }
  });

  for (const variant of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'] as const) {
    it(`${variant}: round trip; a tampered body, target or timestamp is refused; another key is refused`, () => {
      const { headers, verifyWith } = signed(variant, variant);
      expect(headers['x-algorithm']).toBe(variant);
      expect(headers['x-pqc-public-key']).toBeDefined();
      expect(headers['x-signature-mldsa']).toBeUndefined();
      expect(verifyWith()).toEqual({ ok: true, agentId, algorithm: variant });
      expect(verifyWith({ body: '{"a":2}' })).toMatchObject({ ok: false, error: 'invalid ML-DSA signature', reasonCode: 'signatureInvalid' });
      expect(verifyWith({ headers: { 'x-timestamp': String(now - 1) } })).toMatchObject({ ok: false, error: 'invalid ML-DSA signature' });
      const other = pqcPair(variant).pair.publicKey;
      expect(verifyWith({ pqcKey: other })).toMatchObject({ ok: false, error: 'provided ML-DSA public key does not match registered key' });
      expect(verifyWith({ pqcKey: other, headers: { 'x-pqc-public-key': undefined } })).toMatchObject({ ok: false, error: 'invalid ML-DSA signature' });
      expect(verifyWith({ pqcKey: undefined })).toMatchObject({ ok: false, error: 'agent has no registered ML-DSA public key' });
      // An Ed25519 signature where ML-DSA is named is no ML-DSA signature.
      const ed25519 = signRequest({ method: 'POST', target: '/api/v1/sdk-api/agents/x/heartbeat?y=1', body: '{"a":1}', agentId, publicKey: ed.publicKey, privateKey: edKey, timestamp: now });
      expect(verifyWith({ headers: { 'x-signature': ed25519['x-signature'] } })).toMatchObject({ ok: false });
    });
  }

  it('hybrid: both signatures over the same bytes; either one missing or wrong is refused', () => {
    const { headers, verifyWith } = signed('Ed25519+ML-DSA-65', 'ML-DSA-65');
    expect(headers['x-algorithm']).toBe('Ed25519+ML-DSA-65');
    expect(headers['x-signature']).toBe(headers['x-signature-ed25519']);
    expect(verifyWith()).toEqual({ ok: true, agentId, algorithm: 'Ed25519+ML-DSA-65' });
    expect(verifyWith({ headers: { 'x-signature-mldsa': undefined } })).toMatchObject({ ok: false, error: 'missing ML-DSA signature for hybrid mode' });
    const wrongEd = signRequest({ method: 'GET', target: '/elsewhere', agentId, publicKey: ed.publicKey, privateKey: edKey, timestamp: now })['x-signature'];
    expect(verifyWith({ headers: { 'x-signature-ed25519': wrongEd, 'x-signature': wrongEd } })).toMatchObject({ ok: false, error: 'invalid Ed25519 signature in hybrid mode' });
    const other = signed('ML-DSA-65', 'ML-DSA-65').headers['x-signature']!;
    expect(verifyWith({ headers: { 'x-signature-mldsa': other } })).toMatchObject({ ok: false, error: 'invalid ML-DSA signature in hybrid mode' });
    expect(verifyWith({ body: '{"a":3}' })).toMatchObject({ ok: false });
    // An Ed25519-only server reads X-Signature and X-Public-Key: a hybrid request passes there as Ed25519.
    expect(verifyWith({ headers: { 'x-algorithm': undefined } })).toMatchObject({ ok: true, algorithm: 'Ed25519' });
  });

  it('the signer of credentials with a key signs what was asked, and settles on what AIM took with one AIM-R019', () => {
    const { pair } = pqcPair('ML-DSA-65');
    const creds: Credentials = { agentId, publicKey: ed.publicKey, privateKey: ed.privateKey, pqcKeyAlgorithm: 'ML-DSA-65', pqcPublicKey: pair.publicKey, pqcPrivateKey: pair.privateKey };
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const signer = createSigner(creds, 'Ed25519+ML-DSA-65', 'file');
    expect(signer.algorithm).toBe('Ed25519+ML-DSA-65');
    const headers = signer.headers(signer.algorithm, 'GET', '/x', undefined, now);
    expect(verifyRequest({ method: 'GET', target: '/x', body: '', headers, registeredKey: () => ed.publicKey, registeredPqcKey: () => pair.publicKey, now })).toMatchObject({ ok: true });
    signer.settle('ML-DSA-65', { status: 401, body: { error: 'unsupported ML-DSA algorithm in hybrid mode: Ed25519+ML-DSA-65' }, headers: {} });
    expect(signer.algorithm).toBe('ML-DSA-65');
    const said = stderr.mock.calls.map(([l]) => String(l)).join('');
    expect(said).toContain('AIM-R019');
    expect(said).not.toContain(pair.privateKey);
    expect(said).not.toContain(ed.privateKey);
  });

  it("a refusal is remembered for the agent's other processes for an hour, and only for what was asked", () => {
    const { pair } = pqcPair('ML-DSA-65');
    const creds: Credentials = { agentId, publicKey: ed.publicKey, privateKey: ed.privateKey, pqcKeyAlgorithm: 'ML-DSA-65', pqcPublicKey: pair.publicKey, pqcPrivateKey: pair.privateKey };
    let stored: SignatureMemo | undefined;
    const memo = { get: () => stored, set: (m: SignatureMemo) => void (stored = m) };
    const said: string[] = [];
    const say = (code: string, text: string) => void said.push(`${code} ${text}`);
    const first = createSigner(creds, 'Ed25519+ML-DSA-65', 'file', { say, memo });
    first.settle('Ed25519', { status: 401, body: { error: 'Agent does not have PQC key registered for hybrid mode' }, headers: {} });
    expect(stored).toMatchObject({ asked: 'Ed25519+ML-DSA-65', accepted: 'Ed25519', status: 401 });
    expect(createSigner(creds, 'Ed25519+ML-DSA-65', 'file', { say, memo }).algorithm).toBe('Ed25519');
    expect(said.at(-1)).toContain('asked again an hour after');
    // Another setting is asked afresh; an old memory too.
    expect(createSigner(creds, 'ML-DSA-65', 'file', { say, memo }).algorithm).toBe('ML-DSA-65');
    stored = { ...stored!, at: new Date(Date.now() - SIGNATURE_MEMO_MS - 1000).toISOString() };
    expect(createSigner(creds, 'Ed25519+ML-DSA-65', 'file', { say, memo }).algorithm).toBe('Ed25519+ML-DSA-65');
  });
});
