/**
 * HTTP MCP answers as undici reports them (issue 15: property-based tests for every parser of
 * untrusted bytes): the body of an `initialize` or `tools/list` answer comes in chunks cut
 * anywhere, as an event stream (SSE: CRLF, LF or CR line ends, comments, `data:` with or without
 * its space, an event's data over several lines) or as one JSON text (pretty-printed too). The
 * server facts read from it are the same however it is cut, and any bytes at all never throw.
 */
import { channel } from 'node:diagnostics_channel';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bindHost } from '../src/hooks/mcp/emit.js';
import { onCreate, subscribeHttpFollowUps } from '../src/hooks/mcp/http.js';
import type { Observation } from '../src/observations/index.js';

const seen: Observation[] = [];
beforeAll(() => {
  bindHost({ observe: (o) => void seen.push(o), internalError: (e) => void seen.push({ kind: 'internal-error', e } as unknown as Observation), inert: () => false, copyOwnProperties: () => {} });
  subscribeHttpFollowUps();
});

const publish = (name: string, message: object) => channel(`undici:request:${name}`).publish(message);
let port = 40000;

/** One POST exchange to a fresh server URL: the JSON-RPC request, then the answer's headers and body chunks. */
function exchange(request: object, contentType: string, chunks: (Uint8Array | string)[]): Observation[] {
  seen.splice(0);
  const req = { origin: `http://127.0.0.1:${++port}`, path: '/mcp', method: 'POST', headers: ['accept', 'application/json, text/event-stream', 'content-type', 'application/json'] };
  onCreate({ request: req });
  publish('bodyChunkSent', { request: req, chunk: Buffer.from(JSON.stringify(request)) });
  publish('headers', { request: req, response: { statusCode: 200, headers: ['content-type', contentType, 'mcp-session-id', 'abc'] } });
  for (const chunk of chunks) publish('bodyChunkReceived', { request: req, chunk });
  publish('trailers', { request: req, trailers: [] });
  return seen.map((o) => ({ ...o, key: undefined, url: undefined, name: undefined, connectedAt: undefined }) as unknown as Observation);
}

function cut(whole: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (whole.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const p of [...points, whole.length]) {
    pieces.push(whole.subarray(at, p));
    at = p;
  }
  return pieces;
}

const name = fc.string({ unit: fc.constantFrom('a', 'b', '-', '_', '.', 'é', '日', '😀', ' ', '"', '\\'), minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s);
const offsets = fc.array(fc.nat(), { maxLength: 30 });
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } };

/** The answer as an event stream, in one of the shapes the format allows. */
const eventStream = (answer: object) =>
  fc.record({ eol: fc.constantFrom('\n', '\r\n', '\r'), space: fc.constantFrom(' ', ''), comment: fc.boolean(), multiline: fc.boolean(), event: fc.boolean() }).map(({ eol, space, comment, multiline, event }) => {
    const json = multiline ? JSON.stringify(answer, null, 1) : JSON.stringify(answer);
    const lines = [...(comment ? [': keep-alive', ''] : []), ...(event ? ['event: message', 'id: 7'] : []), ...json.split('\n').map((l) => `data:${space}${l}`), ''];
    return lines.join(eol) + eol;
  });

describe('HTTP MCP answers, cut anywhere', () => {
  it('an initialize answer as an event stream gives the same handshake however it is cut', () => {
    const answerOf = (server: string, version: string) => ({ jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: server, version } } });
    const cases = fc.tuple(name, name).chain(([server, version]) => fc.tuple(fc.constant(server), fc.constant(version), eventStream(answerOf(server, version))));
    fc.assert(
      fc.property(cases, offsets, ([server, version, body], at) => {
        const whole = exchange(initialize, 'text/event-stream', [Buffer.from(body)]);
        expect(whole.find((o) => (o as { evidence?: string }).evidence === 'handshake')).toMatchObject({ serverInfo: { name: server, version } });
        expect(exchange(initialize, 'text/event-stream', cut(Buffer.from(body), at))).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('a tools/list answer as one JSON body (compact or pretty-printed) gives the same tools however it is cut', () => {
    fc.assert(
      fc.property(fc.array(name, { maxLength: 6 }), fc.constantFrom(undefined, 1, 2, '\t'), offsets, (tools, indent, at) => {
        const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 2, result: { tools: tools.map((t) => ({ name: t })) } }, null, indent));
        const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
        // The list request is read on an exchange that already knows the server.
        const whole = exchange(list, 'application/json', [body]);
        expect(whole.find((o) => (o as { tools?: unknown }).tools)).toMatchObject({ tools });
        expect(exchange(list, 'application/json', cut(body, at))).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('a tools/call request body cut anywhere, even inside a character, names the tool exactly', () => {
    fc.assert(
      fc.property(name, offsets, (tool, at) => {
        seen.splice(0);
        const req = { origin: `http://127.0.0.1:${++port}`, path: '/mcp', method: 'POST', headers: ['mcp-session-id', 's1', 'content-type', 'application/json'] };
        onCreate({ request: req });
        const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: tool, arguments: {} } }));
        for (const chunk of cut(body, at)) publish('bodyChunkSent', { request: req, chunk });
        expect(seen.filter((o) => o.kind === 'mcp-call')).toMatchObject([{ method: 'tools/call', name: tool }]);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on any bytes, in either format', () => {
    fc.assert(
      fc.property(fc.constantFrom('text/event-stream', 'application/json', 'text/html'), fc.array(fc.oneof(fc.uint8Array({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 100 })), { maxLength: 10 }), (type, chunks) => {
        const observed = exchange(initialize, type, chunks);
        expect(observed.filter((o) => o.kind === ('internal-error' as never))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
