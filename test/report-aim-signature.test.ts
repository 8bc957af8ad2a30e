import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../src/collector/index.js';
import {
  generateAgentKeyPair,
  isTimestampRefusal,
  privateKeyFromBase64,
  publicKeyOf,
  signingBytes,
  signRequest,
  skewFromDate,
  verifyRequest,
} from '../src/protocol/index.js';
import { newKey, tempDir } from './helpers/collector.js';

/** agent-request-v1 (aim-protocol.md 1.3): the signer against the collector's verifier, in process and over HTTP. */
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function raw(
  c: Collector,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  const u = new URL(c.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {}, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('agent-request-v1 signing', () => {
  const pair = generateAgentKeyPair();
  const key = privateKeyFromBase64(pair.privateKey)!;
  const agentId = '0f8e7a52-3c1d-4b9e-8f00-1234567890ab';

  it('signs exactly method, target, timestamp and body, and the verifier accepts it', () => {
    expect(Buffer.from(pair.publicKey, 'base64')).toHaveLength(32);
    expect(publicKeyOf(key)).toBe(pair.publicKey);
    expect(signingBytes('post', '/a?b=1', '100', '{"x":1}').toString()).toBe('POST\n/a?b=1\n100\n{"x":1}');
    expect(signingBytes('GET', '/a', '100', '').toString()).toBe('GET\n/a\n100');
    const now = 1_800_000_000;
    const body = '{"capabilityType":"file:read"}';
    const headers = signRequest({ method: 'POST', target: '/x?y=1', body, agentId, publicKey: pair.publicKey, privateKey: key, timestamp: now });
    expect(Object.keys(headers).sort()).toEqual(['x-agent-id', 'x-public-key', 'x-signature', 'x-timestamp']);
    const registeredKey = (id: string) => (id === agentId ? pair.publicKey : undefined);
    expect(verifyRequest({ method: 'POST', target: '/x?y=1', body, headers, registeredKey, now })).toEqual({ ok: true, agentId, algorithm: 'Ed25519' });
    // Another body, another query, another method, an old timestamp, another key: refused.
    const refused = (over: Partial<Parameters<typeof verifyRequest>[0]>) =>
      verifyRequest({ method: 'POST', target: '/x?y=1', body, headers, registeredKey, now, ...over });
    expect(refused({ body: '{"capabilityType":"system:exec"}' })).toMatchObject({ ok: false, status: 401, reasonCode: 'signatureInvalid' });
    expect(refused({ body: body + ' ' })).toMatchObject({ reasonCode: 'signatureInvalid' });
    expect(refused({ target: '/x?y=2' })).toMatchObject({ reasonCode: 'signatureInvalid' });
    expect(refused({ method: 'PUT' })).toMatchObject({ reasonCode: 'signatureInvalid' });
    expect(refused({ now: now + 31 })).toMatchObject({ reasonCode: 'timestampOutOfWindow' });
    expect(refused({ now: now - 31 })).toMatchObject({ reasonCode: 'timestampOutOfWindow' });
    expect(refused({ now: now + 30 })).toEqual({ ok: true, agentId, algorithm: 'Ed25519' });
    expect(refused({ registeredKey: () => generateAgentKeyPair().publicKey })).toMatchObject({ reasonCode: 'agentKeyNotRecognized' });
    expect(refused({ headers: { ...headers, 'x-agent-id': undefined } })).toMatchObject({ ok: false, noSignature: true });
  });

  it('reads the 32-byte seed and AIM 64-byte form, refuses anything else', () => {
    const seed = Buffer.from(pair.privateKey, 'base64');
    const long = Buffer.concat([seed, Buffer.from(pair.publicKey, 'base64')]).toString('base64');
    expect(publicKeyOf(privateKeyFromBase64(long)!)).toBe(pair.publicKey);
    const wrongHalf = Buffer.concat([seed, Buffer.from(generateAgentKeyPair().publicKey, 'base64')]).toString('base64');
    expect(privateKeyFromBase64(wrongHalf)).toBeUndefined();
    expect(privateKeyFromBase64('not a key')).toBeUndefined();
    expect(privateKeyFromBase64(Buffer.alloc(16).toString('base64'))).toBeUndefined();
  });

  it('knows a timestamp refusal and reads the skew from Date', () => {
    expect(isTimestampRefusal({ error: 'Request timestamp expired or invalid' })).toBe(true);
    expect(isTimestampRefusal({ error: 'x', reasonCode: 'timestampOutOfWindow' })).toBe(true);
    expect(isTimestampRefusal({ error: 'invalid Ed25519 signature', reasonCode: 'signatureInvalid' })).toBe(false);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(skewFromDate('Thu, 01 Jan 2026 00:02:00 GMT', now)).toBe(120);
    expect(skewFromDate('garbage', now)).toBeUndefined();
  });
});

describe('the collector in the signed generation', () => {
  it('registers with the API key, then accepts signed calls and refuses bad ones with reason codes', async () => {
    const apiKey = newKey();
    const c = await startCollector({ protocol: 'signed', keys: [apiKey], agents: [], log: () => {} });
    cleanup.push(() => c.close());
    const pair = generateAgentKeyPair();
    const priv = privateKeyFromBase64(pair.privateKey)!;
    const reg = JSON.stringify({ name: 'sig-agent', publicKey: pair.publicKey, capabilities: ['file:read'] });
    expect((await raw(c, 'POST', '/api/v1/agents', { 'x-api-key': 'aim_live_wrongwrongwrong' }, reg)).status).toBe(401);
    const created = await raw(c, 'POST', '/api/v1/agents', { 'x-api-key': apiKey }, reg);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'sig-agent', publicKey: pair.publicKey, capabilities: ['file:read'] });
    expect(JSON.stringify(created.body)).not.toContain(pair.privateKey);
    expect((await raw(c, 'POST', '/api/v1/agents', { 'x-api-key': apiKey }, reg)).status).toBe(409);
    const id = created.body.id as string;

    const signed = (method: string, path: string, body?: string, over: Record<string, string> = {}, ts = Date.now() / 1000) => ({
      ...signRequest({ method, target: path, body, agentId: id, publicKey: pair.publicKey, privateKey: priv, timestamp: ts }),
      ...over,
    });
    const agentPath = `/api/v1/sdk-api/agents/${id}`;
    // API key alone on sdk-api: 401 (the JWT fallback).
    expect((await raw(c, 'GET', agentPath, { 'x-api-key': apiKey })).status).toBe(401);
    const read = await raw(c, 'GET', agentPath, signed('GET', agentPath));
    expect(read.status).toBe(200);
    expect((read.body.agent as { capabilities: { capabilityType: string }[] }).capabilities.map((x) => x.capabilityType)).toEqual(['file:read']);
    // An Authorization header next to the signature sends the request to the JWT middleware.
    expect((await raw(c, 'GET', agentPath, signed('GET', agentPath, undefined, { authorization: 'Bearer abcdefghijkl' }))).status).toBe(401);

    const capBody = JSON.stringify({ capabilityType: 'system:exec' });
    const capPath = `${agentPath}/capabilities/register`;
    const otherBody = await raw(c, 'POST', capPath, signed('POST', capPath, JSON.stringify({ capabilityType: 'file:write' })), capBody);
    expect(otherBody).toMatchObject({ status: 401, body: { reasonCode: 'signatureInvalid' } });
    const old = await raw(c, 'POST', capPath, signed('POST', capPath, capBody, {}, Date.now() / 1000 - 120), capBody);
    expect(old).toMatchObject({ status: 401, body: { reasonCode: 'timestampOutOfWindow' } });
    expect(old.headers.date).toBeTruthy();
    expect(await raw(c, 'POST', capPath, signed('POST', capPath, capBody), capBody)).toMatchObject({ status: 201, body: { status: 'granted' } });
    expect(await raw(c, 'POST', capPath, signed('POST', capPath, capBody), capBody)).toMatchObject({ status: 409, body: { status: 'already_exists' } });
    c.setEnforcement('strict');
    const netBody = JSON.stringify({ capabilityType: 'network:connect' });
    expect(await raw(c, 'POST', capPath, signed('POST', capPath, netBody), netBody)).toMatchObject({ status: 202, body: { status: 'pending' } });
    expect(await raw(c, 'POST', capPath, signed('POST', capPath, netBody), netBody)).toMatchObject({ status: 409, body: { status: 'pending' } });

    // Path binding: another agent's path, even signed correctly.
    const other = `/api/v1/sdk-api/agents/4b0d9c3e-6a51-4f0e-9c1d-aa5e0c0de001`;
    expect(await raw(c, 'GET', other, signed('GET', other))).toMatchObject({ status: 403, body: { reasonCode: 'agent_path_mismatch' } });
    // Status gate.
    c.state.agents.get(id)!.status = 'suspended';
    expect(await raw(c, 'GET', agentPath, signed('GET', agentPath))).toMatchObject({ status: 401, body: { reasonCode: 'agentStatusDenied' } });
  });

  it('keeps registered agents, grants and pending requests across a restart (store replay)', async () => {
    const apiKey = newKey();
    const store = join(tempDir(), 'store.jsonl');
    const opts = { protocol: 'signed' as const, keys: [apiKey], agents: [], log: () => {}, store };
    const c = await startCollector({ ...opts, enforcement: 'strict' });
    const pair = generateAgentKeyPair();
    const priv = privateKeyFromBase64(pair.privateKey)!;
    const created = await raw(c, 'POST', '/api/v1/agents', { 'x-api-key': apiKey }, JSON.stringify({ name: 'kept', publicKey: pair.publicKey, capabilities: ['file:read'] }));
    const id = created.body.id as string;
    const capPath = `/api/v1/sdk-api/agents/${id}/capabilities/register`;
    const sign = (method: string, path: string, body?: string) =>
      signRequest({ method, target: path, body, agentId: id, publicKey: pair.publicKey, privateKey: priv, timestamp: Date.now() / 1000 });
    const b = JSON.stringify({ capabilityType: 'system:exec' });
    expect((await raw(c, 'POST', capPath, sign('POST', capPath, b), b)).status).toBe(202);
    await c.close();
    const again = await startCollector(opts);
    cleanup.push(() => again.close());
    const agentPath = `/api/v1/sdk-api/agents/${id}`;
    const read = await raw(again, 'GET', agentPath, sign('GET', agentPath));
    expect(read.status).toBe(200);
    expect(again.state.agents.get(id)!.capabilityRequests).toEqual([{ type: 'system:exec', status: 'pending' }]);
    expect((await raw(again, 'POST', capPath, sign('POST', capPath, b), b)).body).toMatchObject({ status: 'pending' });
  });

  it('its Date header carries its own clock', async () => {
    const c = await startCollector({ protocol: 'signed', agents: [], log: () => {}, clockOffsetMs: 120_000 });
    cleanup.push(() => c.close());
    const r = await raw(c, 'GET', '/api/v1/sdk-api/agents/x', {});
    expect(r.status).toBe(401);
    expect(skewFromDate(r.headers.date as string)).toBeGreaterThanOrEqual(115);
  });
});
