/**
 * Wire layer, HTTP: MCP's Streamable HTTP and SSE transports use global fetch, which reports each
 * request on the `undici:request:*` diagnostics channels. A request carrying `mcp-session-id` or
 * `mcp-protocol-version`, or a POST whose response opens an MCP session, is an MCP server. Where
 * undici reports body chunks (Node 24's undici 7: `bodyChunkSent`/`bodyChunkReceived`), the
 * JSON-RPC inside adds the handshake, the tool list and the calls. Subscribers only read.
 */
import { subscribe as subscribeChannel } from 'node:diagnostics_channel';
import { emitCall, emitServer, inert, internalError, now, sdkFollowedKeys } from './emit.js';
import { MAX_LINE, callNameOf, helloOf, parseMessages, toolNamesOf } from './jsonrpc.js';
import { httpKey, nameFromUrl } from './naming.js';
import type { McpEvidence, McpTransport } from '../../observations/index.js';
import { adoptPending } from './client-modules.js';

interface UndiciRequest {
  origin?: unknown;
  path?: unknown;
  method?: unknown;
  headers?: unknown;
}

interface Exchange {
  url: string;
  /** Known to be MCP (headers said so), or only a candidate (MCP-style Accept header). */
  confirmed: boolean;
  transport: McpTransport;
  /** Request ids of interest in this exchange's body: initialize and tools/list. */
  initId?: unknown;
  /** The handshake request was the newer `server/discover` (an error then is not a failure). */
  discover?: boolean;
  listIds?: Set<unknown>;
  sent: string;
  received: string;
  /** Each direction's bytes decoded across chunks (a character cut between two chunks stays one). */
  sentDecoder?: TextDecoder;
  decoder?: TextDecoder;
  /** The answer is an event stream (content-type), read event by event; else one JSON body, read at its end. */
  sse?: boolean;
  /** The data lines of the event being read. */
  data?: string[];
  /** Past the cap: the rest of the line (event stream) or of the body (JSON) is skipped. */
  skipping?: boolean;
}

const exchanges = new WeakMap<object, Exchange>();
/** Servers already announced, by key. */
const announced = new Set<string>();
/** The last event-stream GET per origin: the legacy SSE endpoint that later POSTs belong to. */
const sseByOrigin = new Map<string, string>();

/**
 * Subscribes to what follows a request's creation on the undici channels. The creation and the
 * WebSocket channels are trigger.ts's, which loaded this layer and hands their messages on.
 */
export function subscribeHttpFollowUps(): void {
  subscribe('undici:request:headers', onHeaders);
  subscribe('undici:request:bodyChunkSent', onChunkSent);
  subscribe('undici:request:bodyChunkReceived', onChunkReceived);
  subscribe('undici:request:trailers', onDone);
  subscribe('undici:request:error', onError);
}

/** Where the open message has no URL (Node 24's and 22.14's undici), the close message has it. */
export function onWebSocketClose({ websocket }: { websocket?: { url?: unknown; protocol?: unknown } }): void {
  if (websocket?.protocol !== 'mcp' || typeof websocket.url !== 'string') return;
  const url = httpKey(websocket.url);
  if (!announced.has(url)) announce({ url, confirmed: true, transport: 'websocket', sent: '', received: '' });
}

/** A WebSocket opened with MCP's subprotocol `mcp` (the URL is in the message on Node 22's undici). */
export function onWebSocketOpen({ protocol, websocket }: { protocol?: unknown; websocket?: { url?: unknown } }): void {
  if (protocol !== 'mcp') return;
  const url = typeof websocket?.url === 'string' ? websocket.url : undefined;
  if (!url) return;
  announce({ url: httpKey(url), confirmed: true, transport: 'websocket', sent: '', received: '' });
}

function subscribe(name: string, fn: (message: never) => void): void {
  const guarded = (message: unknown): void => {
    if (inert()) return;
    try {
      fn(message as never);
    } catch (error) {
      internalError(error);
    }
  };
  try {
    subscribeChannel(name, guarded);
  } catch (error) {
    internalError(error);
  }
}

/** A header's value from undici's forms: `[k, v, k, v]`, `"k: v\r\n..."`, or a record. */
export function headerOf(headers: unknown, name: string): string | undefined {
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    }
    return undefined;
  }
  if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
    }
    return undefined;
  }
  if (headers && typeof headers === 'object') {
    for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return String(value);
  }
  return undefined;
}

export function onCreate({ request }: { request: UndiciRequest }): void {
  if (!request || typeof request !== 'object') return;
  const headers = request.headers;
  const method = typeof request.method === 'string' ? request.method.toUpperCase() : 'GET';
  const origin = String(request.origin ?? '').replace(/\/$/, '');
  const rawPath = typeof request.path === 'string' ? request.path : '/';
  const sessionId = headerOf(headers, 'mcp-session-id');
  const protocolVersion = headerOf(headers, 'mcp-protocol-version');
  const accept = (headerOf(headers, 'accept') ?? '').toLowerCase();

  if (method === 'GET' && accept.includes('text/event-stream') && !sessionId && !protocolVersion) {
    // Maybe the legacy SSE transport's stream; it becomes MCP once its endpoint is used.
    if (sseByOrigin.size > 64) sseByOrigin.clear();
    sseByOrigin.set(origin, httpKey(origin + rawPath));
    return;
  }
  const legacyPost = method === 'POST' && /[?&]sessionId=/.test(rawPath) && sseByOrigin.has(origin);
  let exchange: Exchange | undefined;
  if (sessionId || protocolVersion || legacyPost) {
    const transport: McpTransport = !sessionId && legacyPost ? 'sse' : 'streamable-http';
    const url = transport === 'sse' ? sseByOrigin.get(origin)! : httpKey(origin + rawPath);
    exchange = { url, confirmed: true, transport, sent: '', received: '' };
    announce(exchange, protocolVersion);
  } else if (
    method === 'POST' &&
    accept.includes('text/event-stream') &&
    accept.includes('application/json')
  ) {
    // Streamable HTTP's Accept: a candidate until its answer (or its body) says MCP.
    exchange = { url: httpKey(origin + rawPath), confirmed: false, transport: 'streamable-http', sent: '', received: '' };
  }
  if (exchange) exchanges.set(request, exchange);
}

function announce(exchange: Exchange, protocolVersion?: string, evidence: McpEvidence = 'http-headers'): void {
  const key = exchange.url;
  if (announced.has(key) && !protocolVersion) return;
  const first = !announced.has(key);
  announced.add(key);
  if (first) adoptPending();
  emitServer(evidence, {
    key,
    name: nameFromUrl(key),
    transport: exchange.transport,
    url: key,
    ...(first ? { connectedAt: now() } : {}),
    ...(protocolVersion ? { protocolVersion: protocolVersion.slice(0, 40) } : {}),
    failed: false,
  });
}

function onHeaders({ request, response }: { request: object; response: { statusCode?: number; headers?: unknown } }): void {
  const exchange = exchanges.get(request);
  if (!exchange) return;
  const status = response?.statusCode ?? 0;
  const headers = normaliseHeaders(response?.headers);
  exchange.sse = /text\/event-stream/i.test(headerOf(headers, 'content-type') ?? '');
  const session = headerOf(headers, 'mcp-session-id');
  if (!exchange.confirmed && session && status < 400) {
    exchange.confirmed = true;
    announce(exchange);
  }
  if (status >= 400 && exchange.initId !== undefined && !exchange.discover) {
    emitServer('failed', { key: exchange.url, name: nameFromUrl(exchange.url), transport: exchange.transport, url: exchange.url, failed: true, connectedAt: now() });
  }
}

function normaliseHeaders(headers: unknown): unknown {
  if (Array.isArray(headers)) return headers.map((h) => (h instanceof Uint8Array ? Buffer.from(h).toString('latin1') : h));
  return headers;
}

function onChunkSent({ request, chunk }: { request: object; chunk: unknown }): void {
  const exchange = exchanges.get(request);
  if (!exchange) return;
  if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) return;
  const text = typeof chunk === 'string' ? chunk : (exchange.sentDecoder ??= new TextDecoder('utf-8')).decode(chunk, { stream: true });
  exchange.sent = exchange.sent.length + text.length > MAX_LINE ? '' : exchange.sent + text;
  // A request body is one JSON text; it is complete when it parses.
  const messages = parseMessages(exchange.sent.trim());
  if (messages.length === 0) return;
  exchange.sent = '';
  for (const message of messages) {
    const method = message.method;
    if (method === 'initialize' || method === 'server/discover') {
      exchange.initId = message.id;
      exchange.discover = method === 'server/discover';
      if (!exchange.confirmed) {
        exchange.confirmed = true;
        announce(exchange, undefined, 'attempted');
      }
    } else if (method === 'tools/list' && message.id !== undefined) {
      (exchange.listIds ??= new Set()).add(message.id);
    } else if ((method === 'tools/call' || method === 'resources/read') && exchange.confirmed && !sdkFollowedKeys.has(exchange.url)) {
      emitCall(exchange.url, method, callNameOf(method, message.params));
    }
  }
}

function onChunkReceived({ request, chunk }: { request: object; chunk: unknown }): void {
  const exchange = exchanges.get(request);
  if (!exchange || (exchange.initId === undefined && !exchange.listIds?.size)) return;
  const text = decode(exchange, chunk);
  if (exchange.sse) return readEvents(exchange, text, false);
  // A JSON body is one text, read whole at its end; past the cap it is not read at all.
  if (exchange.skipping) return;
  exchange.received += text;
  if (exchange.received.length > MAX_LINE) {
    exchange.received = '';
    exchange.skipping = true;
  }
}

function onDone({ request }: { request: object }): void {
  const exchange = exchanges.get(request);
  if (!exchange) return;
  exchanges.delete(request);
  if (exchange.initId === undefined && !exchange.listIds?.size) return;
  const rest = exchange.decoder?.decode() ?? '';
  if (exchange.sse) readEvents(exchange, rest, true);
  else if (!exchange.skipping) readAnswer(exchange, (exchange.received + rest).trim());
}

function decode(exchange: Exchange, chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (!(chunk instanceof Uint8Array)) return '';
  return (exchange.decoder ??= new TextDecoder('utf-8')).decode(chunk, { stream: true });
}

/**
 * An event stream (the SSE format, as `EventSource` reads it): lines end with CRLF, LF or CR; an
 * event's `data:` lines are joined with a newline; a blank line ends the event; `:` starts a
 * comment. A line longer than the cap is skipped; at the end, a last event without its blank
 * line is read too.
 */
function readEvents(exchange: Exchange, text: string, end: boolean): void {
  let buffer = exchange.received + text;
  // A CR at the end may be the first half of a CRLF: wait for the next chunk.
  const held = !end && buffer.endsWith('\r') ? 1 : 0;
  const lastBreak = Math.max(buffer.lastIndexOf('\n', buffer.length - 1 - held), buffer.lastIndexOf('\r', buffer.length - 1 - held));
  const complete = end ? buffer : buffer.slice(0, lastBreak + 1);
  buffer = buffer.slice(complete.length);
  const lines = complete.split(/\r\n|\r|\n/);
  if (!end) lines.pop();
  for (const line of lines) {
    if (exchange.skipping) {
      exchange.skipping = false;
      continue;
    }
    readEventLine(exchange, line);
  }
  if (end) dispatchEvent(exchange);
  if (buffer.length > MAX_LINE) {
    buffer = '';
    exchange.skipping = true;
  }
  exchange.received = buffer;
}

function readEventLine(exchange: Exchange, line: string): void {
  if (line === '') return dispatchEvent(exchange);
  if (line.length > MAX_LINE || line.startsWith(':')) return;
  const colon = line.indexOf(':');
  if ((colon < 0 ? line : line.slice(0, colon)) !== 'data') return;
  const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
  const data = (exchange.data ??= []);
  data.push(value);
  if (data.reduce((n, d) => n + d.length + 1, 0) > MAX_LINE) data.length = 0;
}

function dispatchEvent(exchange: Exchange): void {
  const data = exchange.data;
  exchange.data = undefined;
  if (data?.length) readAnswer(exchange, data.join('\n').trim());
}

function onError({ request }: { request: object }): void {
  const exchange = exchanges.get(request);
  if (!exchange) return;
  if (exchange.initId !== undefined && !exchange.discover) {
    emitServer('failed', { key: exchange.url, name: nameFromUrl(exchange.url), transport: exchange.transport, url: exchange.url, failed: true, connectedAt: now() });
  }
  exchanges.delete(request);
}

function readAnswer(exchange: Exchange, text: string): void {
  if (!text || (text[0] !== '{' && text[0] !== '[')) return;
  for (const message of parseMessages(text)) {
    if (message.method !== undefined) continue;
    if (exchange.initId !== undefined && message.id === exchange.initId) {
      exchange.initId = undefined;
      const hello = helloOf(message.result);
      if (exchange.discover && (message.error !== undefined || !hello.serverInfo)) continue;
      if (message.error !== undefined) {
        emitServer('failed', { key: exchange.url, transport: exchange.transport, url: exchange.url, failed: true });
      } else {
        emitServer('handshake', { key: exchange.url, transport: exchange.transport, url: exchange.url, ...hello, failed: false });
      }
    } else if (exchange.listIds?.has(message.id)) {
      exchange.listIds.delete(message.id);
      const tools = toolNamesOf(message.result);
      if (tools) emitServer('attempted', { key: exchange.url, transport: exchange.transport, url: exchange.url, tools });
    }
  }
}
