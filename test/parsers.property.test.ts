/**
 * The other parsers of untrusted input, property-based (issue 15): AIM's answers (what a server,
 * or anything between, sends back), the request bodies the collector validates, `.mcp.json` files
 * (anyone can commit one to a repository), and AIM_* values. Any input never throws, and what is
 * accepted has the shape the code relies on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { loadConfig, variableNames } from '../src/config/index.js';
import { settings } from '../src/config/schema.js';
import * as protocol from '../src/protocol/index.js';
import { flexible, readAgentView } from '../src/protocol/index.js';
import { serversInConfig } from '../src/register/mcp-config-parse.js';

/** JSON with the keys a hostile document would try: prototype names and the shapes' own field names. */
const key = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'agent', 'id', 'name', 'status', 'capabilities', 'capabilityType', 'capability_type', 'type', 'revokedAt', 'revoked_at', 'revoked', 'talks_to', 'talksTo', 'mcpServers', 'command', 'args', 'url', 'cwd', 'env', 'headers'),
);
const hostile = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  ),
})).value;
/** As JSON.parse would hand it over (a `__proto__` key is an own property there). */
const parsedJson = hostile.map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown);

const strings = (xs: unknown[]) => xs.every((x) => typeof x === 'string');

describe("AIM's answers", () => {
  it('any JSON: readAgentView never throws, and a view it returns has the shape the reporter relies on', () => {
    fc.assert(
      fc.property(fc.oneof(parsedJson, parsedJson.map((agent) => ({ agent })), parsedJson.map((capabilities) => ({ agent: { id: 'x', capabilities } }))), (body) => {
        const view = readAgentView(body);
        if (view === undefined) return;
        expect(typeof view.id).toBe('string');
        expect(view.id).not.toBe('');
        for (const list of [view.granted, view.revoked, view.talksTo]) {
          expect(Array.isArray(list) && strings(list)).toBe(true);
        }
        expect(view.granted.length + view.revoked.length).toBeLessThanOrEqual(1000);
        expect(view.talksTo.length).toBeLessThanOrEqual(1000);
        for (const field of [view.name, view.status]) expect(field === undefined || typeof field === 'string').toBe(true);
        flexible(body);
      }),
      { numRuns: 1000 },
    );
  });

  it("upstream's own shape is read back exactly (granted and revoked apart)", () => {
    const cap = fc.record({ capabilityType: fc.string({ minLength: 1, maxLength: 20 }), revoked: fc.boolean() });
    fc.assert(
      fc.property(fc.uuid(), fc.array(cap, { maxLength: 20 }), fc.boolean(), (id, caps, wrapped) => {
        const agent = { id, name: 'a', capabilities: caps.map((c) => ({ capabilityType: c.capabilityType, ...(c.revoked ? { revokedAt: '2026-01-01T00:00:00Z' } : {}) })) };
        const view = readAgentView(wrapped ? { success: true, agent } : agent)!;
        expect(view.id).toBe(id);
        expect(view.granted).toEqual(caps.filter((c) => !c.revoked).map((c) => c.capabilityType));
        expect(view.revoked).toEqual(caps.filter((c) => c.revoked).map((c) => c.capabilityType));
      }),
      { numRuns: 300 },
    );
  });

  it('every request schema the collector checks bodies with: any JSON never throws, an accepted body is an object', () => {
    const schemas = Object.entries(protocol).filter(([name, v]) => /Request$/.test(name) && typeof v === 'object' && v !== null) as [string, z.ZodMiniType][];
    expect(schemas.length).toBeGreaterThanOrEqual(8);
    fc.assert(
      fc.property(parsedJson, (body) => {
        for (const [, schema] of schemas) {
          const result = z.safeParse(schema, body);
          if (result.success) expect(typeof result.data === 'object' && result.data !== null && !Array.isArray(result.data)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('.mcp.json', () => {
  const secret = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';
  it('any text or JSON: never throws; each server has a bounded name, a known transport, string arguments, no secret', () => {
    const config = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      parsedJson.map((v) => JSON.stringify(v)),
      fc.dictionary(key, parsedJson, { maxKeys: 5 }).map((servers) => JSON.stringify({ mcpServers: servers })),
      fc.dictionary(fc.string({ maxLength: 300 }), fc.record({ command: fc.string(), args: fc.array(fc.oneof(fc.string(), parsedJson, fc.constant(secret))) }, { requiredKeys: [] }), { maxKeys: 5 }).map((servers) => JSON.stringify({ mcpServers: servers })),
      fc.dictionary(fc.string(), fc.record({ url: fc.oneof(fc.webUrl(), fc.string()), type: fc.oneof(fc.string(), parsedJson) }, { requiredKeys: [] })).map((servers) => JSON.stringify({ mcpServers: servers })),
    );
    fc.assert(
      fc.property(config, (text) => {
        const servers = serversInConfig(text);
        expect(servers.length).toBeLessThanOrEqual(100);
        for (const s of servers) {
          expect(typeof s.name === 'string' && s.name.length <= 200).toBe(true);
          expect(['stdio', 'sse', 'streamable-http', 'websocket']).toContain(s.transport);
          expect(typeof s.key).toBe('string');
          if (s.transport === 'stdio') expect(typeof s.command === 'string' && strings(s.args ?? [])).toBe(true);
          else expect(typeof s.url).toBe('string');
          expect(JSON.stringify(s)).not.toContain(secret);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('the hostile prototype keys in arguments: {"toString": 1} is not an argument, and nothing throws', () => {
    const text = JSON.stringify({ mcpServers: { x: { command: 'node', args: ['server.js', { toString: 1 }, { valueOf: 2 }, 8080, true] } } });
    expect(serversInConfig(text)).toMatchObject([{ name: 'x', transport: 'stdio', command: 'node', args: ['server.js', '8080', 'true'] }]);
  });
});

describe('AIM_* values', () => {
  it('any values for any variables: loadConfig never throws and every setting keeps its type', () => {
    const env = fc.dictionary(fc.constantFrom(...variableNames, 'AIM_URLL', 'AIM_'), fc.string({ unit: 'binary', maxLength: 60 }), { maxKeys: 8 });
    fc.assert(
      fc.property(env, (vars) => {
        const config = loadConfig({ ...vars, AIM_LOG_LEVEL: 'silent' });
        for (const [name, s] of Object.entries(settings)) {
          const value = (config as unknown as Record<string, unknown>)[name];
          expect(Array.isArray(value) ? 'array' : typeof value, name).toBe(Array.isArray(s.default) ? 'array' : typeof s.default);
        }
        expect(strings(config.invalid)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
