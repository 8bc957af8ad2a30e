/**
 * Inference: what each kind of observation means for the inventory, through the catalog.
 * Each case feeds real observation shapes (as the hooks emit them) into a fresh Inventory and
 * checks the capabilities that come out: strength, confidence, who, and what must NOT appear.
 */
import { describe, expect, it } from 'vitest';
import { confidence } from '../src/catalog/index.js';
import { infer } from '../src/inference/index.js';
import { Inventory, type Capability } from '../src/inventory/index.js';
import type { Caller, Observation } from '../src/observations/index.js';

function fresh(): Inventory {
  return new Inventory(
    { pid: 1, ppid: 0, argv: ['node', 'app.js'], cwd: '/', node: process.version },
    { version: '0', hookMode: 'sync', visibility: 'full', preloadMs: 1, internalErrors: 0 },
  );
}

function inferAll(...observations: Observation[]): Inventory {
  const inventory = fresh();
  for (const observation of observations) infer(observation, inventory);
  return inventory;
}

const app: Caller = { who: 'app', location: '/srv/app.js:12' };
const capabilityOf = (inventory: Inventory, id: string): Capability | undefined =>
  inventory.snapshot().capabilities.find((c) => c.id === id);
const ids = (inventory: Inventory): string[] => inventory.snapshot().capabilities.map((c) => `${c.id}:${c.strength}`).sort();

describe('infer: builtin API calls', () => {
  it('makes a call use, at the app line, with the used confidence', () => {
    const inventory = inferAll({ kind: 'api', module: 'fs', api: 'fs.readFileSync', caller: app, variant: 'file:read' });
    expect(capabilityOf(inventory, 'file:read')).toMatchObject({
      strength: 'used',
      confidence: confidence.used,
      evidence: [{ strength: 'used', api: 'fs.readFileSync', who: 'app', location: '/srv/app.js:12' }],
    });
  });

  it('keeps a metadata probe as probe evidence, never as use', () => {
    const inventory = inferAll({ kind: 'api', module: 'fs', api: 'fs.statSync', caller: app, variant: 'file:read', probe: true, details: { path: '/etc/hosts' } });
    expect(capabilityOf(inventory, 'file:read')).toMatchObject({ strength: 'probe', confidence: confidence.probe });
    expect(capabilityOf(inventory, 'file:read')!.evidence[0]!.details).toEqual({ path: '/etc/hosts' });
  });

  it('lets a later real read turn a probe into use', () => {
    const inventory = inferAll(
      { kind: 'api', module: 'fs', api: 'fs.existsSync', caller: app, variant: 'file:read', probe: true },
      { kind: 'api', module: 'fs', api: 'fs.readFileSync', caller: app, variant: 'file:read' },
    );
    expect(capabilityOf(inventory, 'file:read')!.strength).toBe('used');
  });

  it('lists a dependency that used an API as a package, and marks a worker thread', () => {
    const inventory = inferAll({ kind: 'api', module: 'child_process', api: 'child_process.spawn', caller: { who: 'cross-spawn', thread: 2 }, variant: 'system:exec' });
    expect(inventory.snapshot().packages.map((p) => p.name)).toEqual(['cross-spawn']);
    expect(capabilityOf(inventory, 'system:exec')!.evidence[0]).toMatchObject({ who: 'cross-spawn', worker: 2 });
  });
});

describe('infer: packages', () => {
  it('marks a catalogued package as loaded, not used', () => {
    const inventory = inferAll({ kind: 'package', name: 'openai' });
    expect(ids(inventory)).toEqual(['ai:model_call:loaded']);
    expect(capabilityOf(inventory, 'ai:model_call')).toMatchObject({ confidence: confidence.loaded, evidence: [{ api: 'import openai', who: 'openai' }] });
  });

  it('gives an unknown package no capability', () => {
    const inventory = inferAll({ kind: 'package', name: 'left-pad' });
    expect(ids(inventory)).toEqual([]);
    expect(inventory.snapshot().packages).toEqual([{ name: 'left-pad' }]);
  });
});

describe('infer: HTTP requests', () => {
  it('makes a request to an LLM API both an api:call and a model call with its provider', () => {
    const inventory = inferAll({ kind: 'http', method: 'POST', protocol: 'https:', host: 'api.openai.com', path: '/v1/chat/completions', client: 'undici', caller: app });
    expect(ids(inventory)).toEqual(['ai:model_call:used', 'api:call:used']);
    expect(capabilityOf(inventory, 'ai:model_call')!.evidence[0]!.details).toEqual({ provider: 'openai' });
    expect(capabilityOf(inventory, 'api:call')!.evidence[0]!.api).toBe('fetch POST https://api.openai.com');
  });

  it('makes a plain API request only an api:call', () => {
    const inventory = inferAll({ kind: 'http', method: 'GET', protocol: 'https:', host: 'example.com', path: '/status', client: 'http', caller: app });
    expect(ids(inventory)).toEqual(['api:call:used']);
  });

  it('reads a vector store query as db:read and an upsert as db:write, by the client library', () => {
    const pinecone: Caller = { who: '@pinecone-database/pinecone' };
    const host = 'idx-abc.svc.us-east1-gcp.pinecone.io';
    const query = inferAll({ kind: 'http', method: 'POST', protocol: 'https:', host, path: '/query', client: 'undici', caller: pinecone });
    expect(capabilityOf(query, 'db:read')?.strength).toBe('used');
    expect(capabilityOf(query, 'db:write')).toBeUndefined();
    const upsert = inferAll({ kind: 'http', method: 'POST', protocol: 'https:', host, path: '/vectors/upsert', client: 'undici', caller: pinecone });
    expect(capabilityOf(upsert, 'db:write')?.strength).toBe('used');
    expect(capabilityOf(upsert, 'db:read')).toBeUndefined();
  });
});

describe('infer: connections', () => {
  it('makes any connection network:connect use', () => {
    const inventory = inferAll({ kind: 'connect', host: '10.0.0.5', port: 8080, caller: app });
    expect(ids(inventory)).toEqual(['network:connect:used']);
    expect(capabilityOf(inventory, 'network:connect')!.evidence[0]!.api).toBe('net.connect 10.0.0.5:8080');
  });

  it('takes a connection to a database port by someone else as a hint, never as database use', () => {
    const inventory = inferAll({ kind: 'connect', host: '127.0.0.1', port: 27017, caller: app });
    expect(capabilityOf(inventory, 'db:read')).toMatchObject({ strength: 'hint', confidence: confidence.databasePort });
    expect(capabilityOf(inventory, 'db:write')!.strength).toBe('hint');
  });

  it('makes a driver’s own socket database use, for a driver whose protocol is not read', () => {
    const inventory = inferAll({ kind: 'connect', host: '127.0.0.1', port: 27017, caller: { who: 'mongodb' } });
    expect(capabilityOf(inventory, 'db:read')).toMatchObject({ strength: 'used', confidence: confidence.driverSocket });
    expect(capabilityOf(inventory, 'db:read')!.evidence[0]!.details).toEqual({ database: 'mongodb' });
  });

  it('leaves read or write to the statements for a driver whose protocol is read (pg)', () => {
    const inventory = inferAll({ kind: 'connect', host: '127.0.0.1', port: 5432, caller: { who: 'pg' } });
    expect(ids(inventory)).toEqual(['network:connect:used']);
  });

  it('attributes a connection without a line to the request that opened it', () => {
    const inventory = inferAll(
      { kind: 'http', method: 'GET', protocol: 'https:', host: 'example.com', path: '/', client: 'undici', caller: app },
      { kind: 'connect', host: 'example.com', port: 443, caller: { who: 'undici' } },
    );
    const connect = capabilityOf(inventory, 'network:connect')!;
    expect(connect.evidence[0]).toMatchObject({ who: 'app', location: '/srv/app.js:12' });
  });

  it('names a local socket by its path', () => {
    const inventory = inferAll({ kind: 'connect', path: '/run/docker.sock', caller: app });
    expect(capabilityOf(inventory, 'network:connect')!.evidence[0]!.api).toBe('net.connect /run/docker.sock');
  });
});

describe('infer: the rest', () => {
  it('makes a listen network:listen use with its port', () => {
    const inventory = inferAll({ kind: 'listen', port: 3000, caller: app });
    expect(capabilityOf(inventory, 'network:listen')!.evidence[0]!.api).toBe('listen :3000');
  });

  it('records a runtime feature, no capability', () => {
    const inventory = inferAll({ kind: 'runtime', feature: 'worker' });
    expect(ids(inventory)).toEqual([]);
    expect(inventory.snapshot().runtimeFeatures).toEqual(['worker']);
  });

  it('gives MCP observations their meaning: the server, and its tool calls as mcp:tool_use', () => {
    const server: Observation = { kind: 'mcp-server', key: 'npx srv', transport: 'stdio', evidence: 'handshake' };
    const inventory = inferAll(server, { kind: 'mcp-call', serverKey: 'npx srv', method: 'tools/call', name: 'read' });
    expect(inventory.snapshot().mcpServers.map((s) => s.key)).toEqual(['npx srv']);
    expect(ids(inventory)).toContain('mcp:tool_use:used');
  });
});
