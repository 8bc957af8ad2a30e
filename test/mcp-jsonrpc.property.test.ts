/**
 * The stdio JSON-RPC sniffer sees a child's bytes split however the pipes split them, and a
 * hostile or broken server can send anything (issue 15: property-based tests for every parser of
 * untrusted bytes). Properties: arbitrary chunks never throw and never stall; the lines and
 * frames it reports are exactly the valid ones, whatever the split (bytes cut inside a UTF-8
 * character, CRLF, padding, lines at and past the cap); and a whole stdio handshake split
 * anywhere gives the same server facts as when it comes in one piece.
 */
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE, parseMessages, type JsonRpcMessage } from '../src/hooks/mcp/jsonrpc.js';
import { bindHost } from '../src/hooks/mcp/emit.js';
import { StdioWatch, watchChild } from '../src/hooks/mcp/stdio.js';
import type { ChildProcess } from 'node:child_process';
import type { Observation } from '../src/observations/index.js';

/** Text with multi-byte characters (2, 3 and 4 bytes in UTF-8), no newline. */
const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '"', '\\', 'é', 'ß', '日', '本', '€', '😀', '𝄞', '{', '}', '\t'), maxLength: 30 });

const frame: fc.Arbitrary<JsonRpcMessage> = fc.oneof(
  fc.record({ jsonrpc: fc.constant('2.0'), id: fc.oneof(fc.integer(), text), method: text, params: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({ jsonrpc: fc.constant('2.0'), id: fc.integer(), result: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({ jsonrpc: fc.constant('2.0'), method: text }),
).map((f) => JSON.parse(JSON.stringify(f)) as JsonRpcMessage); // as it reads back (-0 is 0)

/** One line of the stream: a valid frame or batch (padded, maybe CRLF), or something that is not one. */
interface Line {
  raw: string;
  frames: JsonRpcMessage[];
}
const pad = fc.constantFrom('', ' ', '\t', '  ');
const validLine: fc.Arbitrary<Line> = fc
  .tuple(pad, fc.oneof(frame.map((f) => [f]), fc.array(frame, { minLength: 1, maxLength: 3 }).map((b) => ({ batch: b }))), pad, fc.constantFrom('', '\r'))
  .map(([before, body, after, cr]) => {
    const frames = Array.isArray(body) ? body : body.batch;
    return { raw: before + JSON.stringify(Array.isArray(body) ? body[0] : body.batch) + after + cr, frames };
  });
const junkLine: fc.Arbitrary<Line> = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    text,
    frame.map((f) => JSON.stringify(f).slice(0, -1)), // cut short
    frame.map((f) => JSON.stringify({ ...f, jsonrpc: '1.0' })),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.constantFrom('', '\r', '   ', '[]', '{}', 'null', '[1]', '{"jsonrpc":2}'),
  )
  .map((raw) => ({ raw: raw.replace(/\n/g, ' '), frames: [] }));
/** Lines at the cap: kept at exactly MAX_LINE characters (padding included), skipped past it. */
const capLine: fc.Arbitrary<Line> = fc.tuple(frame, fc.constantFrom(-1, 0, 1, 2)).map(([f, over]) => {
  const json = JSON.stringify(f);
  const raw = json + ' '.repeat(Math.max(0, MAX_LINE + over - json.length));
  return { raw, frames: raw.length <= MAX_LINE ? [f] : [] };
});
const stream = fc.array(fc.oneof({ weight: 5, arbitrary: validLine }, { weight: 4, arbitrary: junkLine }, { weight: 1, arbitrary: capLine }), { maxLength: 12 });

/** Cuts `length` units at these (sorted, unique) offsets. */
function cut<T extends { slice(a: number, b?: number): T; length: number }>(whole: T, offsets: number[]): T[] {
  const points = [...new Set(offsets.map((o) => o % (whole.length + 1)))].sort((a, b) => a - b);
  const pieces: T[] = [];
  let at = 0;
  for (const p of [...points, whole.length]) {
    pieces.push(whole.slice(at, p));
    at = p;
  }
  return pieces;
}
const offsets = fc.array(fc.nat(), { maxLength: 40 });

/** What the splitter must report for the whole text: complete lines of at most MAX_LINE characters, trimmed, not blank. */
function expectedLines(whole: string): string[] {
  const parts = whole.split('\n');
  parts.pop(); // no newline after it yet
  return parts.filter((raw) => raw.length <= MAX_LINE && raw.trim() !== '').map((raw) => raw.trim());
}

function feedAll(chunks: unknown[], encoding?: string): string[] {
  const seen: string[] = [];
  const splitter = new LineSplitter((line) => seen.push(line));
  for (const chunk of chunks) splitter.feed(chunk, encoding);
  return seen;
}

describe('the stdio JSON-RPC framing', () => {
  it('reports exactly the complete valid frames, however the bytes are split', () => {
    fc.assert(
      fc.property(stream, fc.boolean(), offsets, (lines, trailingNewline, at) => {
        const whole = lines.map((l) => l.raw).join('\n') + (trailingNewline ? '\n' : '');
        const complete = trailingNewline ? lines : lines.slice(0, -1);
        const seen = feedAll(cut(Buffer.from(whole), at));
        expect(seen).toEqual(expectedLines(whole));
        expect(seen.flatMap(parseMessages)).toEqual(complete.flatMap((l) => l.frames));
      }),
      { numRuns: 300 },
    );
  });

  it('the same with string chunks (cut between characters) and with base64 or latin1 writes', () => {
    fc.assert(
      fc.property(stream, offsets, fc.constantFrom('utf8', 'base64', 'hex'), (lines, at, encoding) => {
        const whole = lines.map((l) => l.raw).join('\n') + '\n';
        const chars = Array.from(whole);
        const pieces = cut(chars, at).map((p) => p.join(''));
        const chunks = encoding === 'utf8' ? pieces : pieces.map((p) => Buffer.from(p).toString(encoding as BufferEncoding));
        expect(feedAll(chunks, encoding).flatMap(parseMessages)).toEqual(lines.flatMap((l) => l.frames));
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on anything written, and parsing any line never throws', () => {
    const anything = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom(null, undefined, 0, {}, [], Symbol('x'), () => 1, new DataView(new ArrayBuffer(4)), new Uint16Array([0xd83d, 0x0a])),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(anything, fc.constantFrom(undefined, 'utf8', 'latin1', 'base64', 'buffer', 42))), (writes) => {
        const splitter = new LineSplitter((line) => {
          parseMessages(line);
        });
        for (const [chunk, encoding] of writes) splitter.feed(chunk, encoding);
      }),
      { numRuns: 500 },
    );
  });
});

/** A child process as far as the watch uses it: stdin.write, stdout.push, 'exit'. */
function fakeChild(): ChildProcess {
  return Object.assign(new EventEmitter(), { stdin: { write: () => true }, stdout: { push: () => true } }) as unknown as ChildProcess;
}

const seen: Observation[] = [];
bindHost({ observe: (o) => void seen.push(o), internalError: (e) => void seen.push({ kind: 'error', e } as unknown as Observation), inert: () => false, copyOwnProperties: () => {} });
afterEach(() => void seen.splice(0));

/** Runs one stdio MCP session through the watch, each direction's bytes cut at these offsets. */
function session(segments: { out: boolean; bytes: Buffer }[], at: number[][]): Observation[] {
  seen.splice(0);
  const child = fakeChild();
  const watch = watchChild(child, { file: 'node', args: ['node', 'server.js'] }, undefined);
  expect(watch).toBeInstanceOf(StdioWatch);
  segments.forEach(({ out, bytes }, i) => {
    for (const piece of cut(bytes, at[i] ?? [])) {
      if (out) child.stdin!.write(piece);
      else child.stdout!.push(piece);
    }
  });
  return seen.map((o) => ({ ...o, connectedAt: undefined, cwd: undefined }) as Observation);
}

describe('a stdio MCP session, split anywhere', () => {
  const name = fc.string({ unit: fc.constantFrom('a', 'b', '-', '_', 'é', '日', '😀', ' '), minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s !== '');
  it('gives the same server facts (name, version, tools) as in one piece', () => {
    fc.assert(
      fc.property(name, name, fc.array(name, { maxLength: 5 }), fc.array(offsets, { minLength: 4, maxLength: 4 }), (server, version, tools, at) => {
        const line = (m: object) => Buffer.from(JSON.stringify(m) + '\n');
        const segments = [
          { out: true, bytes: line({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } }) },
          { out: false, bytes: line({ jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: server, version } } }) },
          { out: true, bytes: Buffer.concat([line({ jsonrpc: '2.0', method: 'notifications/initialized' }), line({ jsonrpc: '2.0', id: 1, method: 'tools/list' })]) },
          { out: false, bytes: line({ jsonrpc: '2.0', id: 1, result: { tools: tools.map((t) => ({ name: t, inputSchema: { type: 'object' } })) } }) },
        ];
        const whole = session(segments, []);
        expect(whole.map((o) => (o as { evidence?: string }).evidence)).toEqual(['attempted', 'handshake', 'attempted']);
        expect(whole[1]).toMatchObject({ serverInfo: { name: server, version } });
        expect(whole[2]).toMatchObject({ tools });
        expect(session(segments, at)).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });
});
