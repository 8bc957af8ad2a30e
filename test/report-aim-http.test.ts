/**
 * The reporter's HTTP transport against a real server on loopback that closes a kept-alive
 * connection just as the next request goes out on it (what a server's idle timeout does when it
 * races the client): the request goes again, once, on a new connection, with no error.
 */
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeHttpTransport, TransportError } from '../src/report/aim/http.js';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/**
 * A raw HTTP/1.1 server that answers keep-alive, or resets the connection where `reset(n, onConnection)`
 * says so (n: the request's number on the server, onConnection: on its connection; both from 1).
 */
async function rawServer(reset: (n: number, onConnection: number) => boolean): Promise<{ url: URL; connections: () => number; requests: () => number }> {
  let connections = 0;
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    let seen = 0;
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        const end = buffered.indexOf('\r\n\r\n') + 4;
        const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + length) return;
        buffered = buffered.slice(end + length);
        requests++;
        seen++;
        if (reset(requests, seen)) {
          socket.resetAndDestroy();
          return;
        }
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: keep-alive\r\n\r\n{"ok":true}');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => (sockets.forEach((s) => s.destroy()), server.close()) });
  const { port } = server.address() as { port: number };
  return { url: new URL(`http://127.0.0.1:${port}`), connections: () => connections, requests: () => requests };
}

describe('createNodeHttpTransport', () => {
  it('a kept-alive connection reset under the next request: sent again on a new connection, answered', async () => {
    const server = await rawServer((_n, onConnection) => onConnection === 2);
    const transport = createNodeHttpTransport(server.url, '', 'test', true);
    expect((await transport.request('POST', '/a', { n: 1 }, { timeoutMs: 5000 })).status).toBe(200);
    const second = await transport.request('POST', '/b', { n: 2 }, { timeoutMs: 5000 });
    expect(second).toMatchObject({ status: 200, body: { ok: true } });
    expect([server.connections(), server.requests()]).toEqual([2, 3]);
    transport.close();
  });

  it('sent again once only, and a reset on a new connection reaches the caller', async () => {
    const server = await rawServer((n) => n > 1);
    const transport = createNodeHttpTransport(server.url, '', 'test', true);
    expect((await transport.request('POST', '/a', {}, { timeoutMs: 5000 })).status).toBe(200);
    const second = transport.request('POST', '/b', {}, { timeoutMs: 5000 });
    await expect(second).rejects.toBeInstanceOf(TransportError);
    await expect(second).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect([server.connections(), server.requests()]).toEqual([2, 3]);
    transport.close();
  });
});
