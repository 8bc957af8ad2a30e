/**
 * `aim collector` attacked (issue 15 finding 5): a web page or DNS rebinding driving the control
 * routes, a flood of refused requests, the store's mode. A real collector on loopback, real HTTP.
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
const held = (c: Collector, id: string) => c.state.agents.get(id)!.capabilities.filter((x) => !x.revokedAt).map((x) => x.capabilityType);

describe('the control routes', () => {
  it('refuse a web page (any Origin), whatever it sends', async () => {
    const { c, agent } = await collector();
    expect(await send(c, 'POST', '/__aim/revoke', { origin: 'https://evil.example', 'content-type': 'application/json' }, revoke(agent.id))).toBe(403);
    expect(await send(c, 'GET', '/__aim/received', { origin: 'https://evil.example' })).toBe(403);
    expect(held(c, agent.id)).toEqual(['file:read']);
  });

  it('refuse DNS rebinding (a Host that is not loopback)', async () => {
    const { c, agent } = await collector();
    expect(await send(c, 'POST', '/__aim/revoke', { host: 'evil.example:8080', 'content-type': 'application/json' }, revoke(agent.id))).toBe(403);
    expect(held(c, agent.id)).toEqual(['file:read']);
  });

  it('take JSON only: a form (text/plain) cannot post to them', async () => {
    const { c, agent } = await collector();
    expect(await send(c, 'POST', '/__aim/revoke', { 'content-type': 'text/plain' }, revoke(agent.id))).toBe(415);
    expect(held(c, agent.id)).toEqual(['file:read']);
    // The same request as JSON from this machine works.
    expect(await send(c, 'POST', '/__aim/revoke', { 'content-type': 'application/json' }, revoke(agent.id))).toBe(200);
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
