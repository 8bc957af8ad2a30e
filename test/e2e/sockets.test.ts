/**
 * Client sockets, every way they open (defect class 2): `new net.Socket().connect()` as the pg
 * driver does, a refused `net.connect`, a refused `tls.connect`, an IPC socket. Each is the
 * program using the network, seen when it asks, connected or not.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capability, fixture, inventoryOf, modes, runFixture } from '../helpers/agent-run.js';

const file = fixture('fidelity', 'sockets.cjs');

describe.each(modes)('client sockets through %s', (mode) => {
  it('sees new Socket().connect(), refused net and tls connects, and IPC sockets', async () => {
    const result = await runFixture(file, { mode });
    expect(result.code, result.stderr).toBe(0);
    const facts = JSON.parse(result.stdout.toString()) as { results: string[]; open: number; closed: number; closedTls: number; ipcPath: string };
    // What really happened: the refused ones were refused.
    expect(facts.results).toEqual(['socket: connected', 'refused: ECONNREFUSED', 'tls: ECONNREFUSED', 'ipc: connected']);
    const connect = capability(inventoryOf(result, file), 'network:connect');
    expect(connect?.strength).toBe('used');
    const apis = connect!.evidence.map((e) => e.api);
    expect(apis).toContain(`net.connect 127.0.0.1:${facts.open}`);
    expect(apis).toContain(`net.connect 127.0.0.1:${facts.closed}`);
    expect(apis).toContain(`net.connect 127.0.0.1:${facts.closedTls}`);
    expect(apis).toContain(`net.connect ${facts.ipcPath}`);
    for (const evidence of connect!.evidence) {
      expect(evidence.who).toBe('app');
      expect(evidence.location).toMatch(/sockets\.cjs:\d+$/);
    }
  });
});

describe.each(modes)('a program whose only network use is fetch, through %s', (mode) => {
  let server: Server;
  let closedPort: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('pong'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('connects (and a refused fetch is an attempt), at the line of the fetch', async () => {
    const file = fixture('fidelity', 'fetch-only.mjs');
    const port = (server.address() as AddressInfo).port;
    const result = await runFixture(file, { mode, env: { FETCH_URL: `http://127.0.0.1:${port}/ping`, REFUSED_URL: `http://127.0.0.1:${closedPort}/` } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.toString())).toMatchObject({ ok: 'pong', refused: 'ECONNREFUSED' });
    const connect = capability(inventoryOf(result, file), 'network:connect');
    expect(connect?.strength).toBe('used');
    expect(connect!.evidence.map((e) => e.api).sort()).toEqual([`net.connect 127.0.0.1:${closedPort}`, `net.connect 127.0.0.1:${port}`].sort());
    for (const evidence of connect!.evidence) expect(evidence.location).toMatch(/fetch-only\.mjs:[45]$/);
  });
});
