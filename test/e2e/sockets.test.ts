/**
 * Client sockets, every way they open (defect class 2): `new net.Socket().connect()` as the pg
 * driver does, a refused `net.connect`, a refused `tls.connect`, an IPC socket. Each is the
 * program using the network, seen when it asks, connected or not.
 */
import { describe, expect, it } from 'vitest';
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
