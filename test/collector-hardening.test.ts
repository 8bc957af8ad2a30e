/**
 * `aim collector` attacked (issue 15 finding 5): another local process without the token, a web
 * page or DNS rebinding driving the control routes, a flood of refused requests, the store's mode.
 * A real collector on loopback, real HTTP.
 */
import { request } from 'node:http';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../src/collector/index.js';
import { newAgent, newKey, tempDir } from './helpers/collector.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function collector(store?: string): Promise<{ c: Collector; agent: { id: string; name: string }; key: string }> {
  const agent = newAgent();
  const key = newKey();
  const c = await startCollector({ agents: [{ ...agent, capabilities: ['file:read'] }], keys: [key], rateLimit: 0, store, log: () => {} });
  cleanup.push(() => c.close());
  return { c, agent, key };
}

/** node:http, so Host and Origin are exactly what a browser would send. */
function send(c: Collector, method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${c.url}${path}`, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const revoke = (agentId: string) => JSON.stringify({ agentId, capabilityType: 'file:read' });
const bearer = (c: Collector) => ({ authorization: `Bearer ${c.token}` });
const json = { 'content-type': 'application/json' };
const held = (c: Collector, id: string) => c.state.agents.get(id)!.capabilities.filter((x) => !x.revokedAt).map((x) => x.capabilityType);

describe('the control routes', () => {
  it('need the token: without it, or with a wrong one, 401 and nothing happens', async () => {
    const { c, agent } = await collector();
    const wrong: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${c.token.slice(0, -1)}` },
      { authorization: `Bearer ${c.token}x` },
      { authorization: `Bearer ${'A'.repeat(c.token.length)}` },
      { authorization: `Basic ${Buffer.from(`aim:${c.token}`).toString('base64')}` },
      { authorization: c.token },
      { authorization: 'Bearer ' },
      { 'x-api-key': c.token },
    ];
    for (const headers of wrong) {
      expect(await send(c, 'POST', '/__aim/revoke', { ...json, ...headers }, revoke(agent.id))).toBe(401);
      expect(await send(c, 'POST', '/__aim/faults', { ...json, ...headers }, JSON.stringify({ route: '*', status: 503, count: -1 }))).toBe(401);
      expect(await send(c, 'POST', '/__aim/enforcement', { ...json, ...headers }, JSON.stringify({ mode: 'strict' }))).toBe(401);
      expect(await send(c, 'DELETE', '/__aim/faults', headers)).toBe(401);
      for (const route of ['received', 'agents', 'mcp-servers']) expect(await send(c, 'GET', `/__aim/${route}`, headers)).toBe(401);
    }
    expect(held(c, agent.id)).toEqual(['file:read']);
    // No fault was added: the agent read answers as AIM would.
    expect(await send(c, 'GET', `/api/v1/sdk-api/agents/${agent.id}`, { 'x-api-key': 'aim_live_wrongwrongwrong' })).toBe(401);
    // With the token (the scheme's case does not matter), the same requests work.
    expect(await send(c, 'GET', '/__aim/received', { authorization: `bearer ${c.token}` })).toBe(200);
    expect(await send(c, 'POST', '/__aim/revoke', { ...json, ...bearer(c) }, revoke(agent.id))).toBe(200);
    expect(held(c, agent.id)).toEqual([]);
  });

  it('are random per collector, or the one given', async () => {
    const { c: one } = await collector();
    const { c: two } = await collector();
    expect(one.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(one.token).not.toBe(two.token);
    expect(await send(two, 'GET', '/__aim/received', bearer(one))).toBe(401);
    const given = await startCollector({ token: 'a-token-for-scripts-0123', log: () => {} });
    cleanup.push(() => given.close());
    expect(await send(given, 'GET', '/__aim/received', { authorization: 'Bearer a-token-for-scripts-0123' })).toBe(200);
  });

  it('refuse a web page (any Origin), whatever it sends, token included', async () => {
    const { c, agent } = await collector();
    expect(await send(c, 'POST', '/__aim/revoke', { origin: 'https://evil.example', ...json, ...bearer(c) }, revoke(agent.id))).toBe(403);
    expect(await send(c, 'GET', '/__aim/received', { origin: 'https://evil.example', ...bearer(c) })).toBe(403);
    expect(held(c, agent.id)).toEqual(['file:read']);
  });

  it('refuse DNS rebinding (a Host that is not loopback)', async () => {
    const { c, agent } = await collector();
    expect(await send(c, 'POST', '/__aim/revoke', { host: 'evil.example:8080', ...json, ...bearer(c) }, revoke(agent.id))).toBe(403);
    expect(held(c, agent.id)).toEqual(['file:read']);
  });

  it('take JSON only: a form (text/plain) cannot post to them', async () => {
    const { c, agent } = await collector();
    expect(await send(c, 'POST', '/__aim/revoke', { 'content-type': 'text/plain', ...bearer(c) }, revoke(agent.id))).toBe(415);
    expect(held(c, agent.id)).toEqual(['file:read']);
    // The same request as JSON from this machine works.
    expect(await send(c, 'POST', '/__aim/revoke', { ...json, ...bearer(c) }, revoke(agent.id))).toBe(200);
    expect(held(c, agent.id)).toEqual([]);
  });
});

describe('what the collector keeps', () => {
  it('counts refused requests and never keeps their bodies', async () => {
    const { c, agent } = await collector();
    const body = JSON.stringify({ capabilityType: 'file:write', padding: 'x'.repeat(10_000) });
    for (let i = 0; i < 200; i++) {
      expect(await send(c, 'POST', `/api/v1/sdk-api/agents/${agent.id}/capabilities`, { 'x-api-key': 'aim_live_wrongwrongwrong', 'content-type': 'application/json' }, body)).toBe(401);
    }
    expect(c.counts().refused).toBe(200);
    expect(c.received().filter((r) => r.body !== undefined)).toEqual([]);
  });

  it('writes its store 0600', async () => {
    const store = join(tempDir(), 'store.jsonl');
    const { c, agent, key } = await collector(store);
    expect(await send(c, 'GET', `/api/v1/sdk-api/agents/${agent.id}`, { 'x-api-key': key })).toBe(200);
    expect(c.received()).toHaveLength(1);
    expect(statSync(store).mode & 0o777).toBe(0o600);
  });
});
