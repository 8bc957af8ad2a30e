import type { ServerInfo } from '../../observations/index.js';

/**
 * Newline-delimited JSON-RPC framing for sniffing, read-only. Bytes are decoded into a private
 * string buffer, never changed; a line longer than the cap is skipped whole; anything that is
 * not JSON-RPC makes the caller give up.
 */

/** Longest line kept while waiting for its newline. */
export const MAX_LINE = 64 * 1024;

export class LineSplitter {
  private buffer = '';
  /** True while skipping the rest of an over-long line. */
  private skipping = false;
  /** Bytes are decoded across chunks: a character split between two writes stays one character. */
  private readonly decoder = new TextDecoder('utf-8');
  private pendingBytes = false;

  constructor(private readonly onLine: (line: string) => void) {}

  /**
   * Feeds one chunk; calls onLine for each complete line that is not blank, trimmed. A line is
   * judged by its length before trimming (at most MAX_LINE), so how the bytes were split never
   * changes which lines are seen.
   */
  feed(chunk: unknown, encoding?: unknown): void {
    const text = this.toText(chunk, encoding);
    if (text === undefined || text.length === 0) return;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        this.buffer = '';
        continue;
      }
      const raw = this.buffer + piece;
      this.buffer = '';
      const line = raw.length <= MAX_LINE ? raw.trim() : '';
      if (line.length > 0) this.onLine(line);
    }
    if (start < text.length && !this.skipping) {
      this.buffer += text.slice(start);
      if (this.buffer.length > MAX_LINE) {
        this.buffer = '';
        this.skipping = true;
      }
    }
  }

  private toText(chunk: unknown, encoding?: unknown): string | undefined {
    if (chunk instanceof Uint8Array) {
      this.pendingBytes = true;
      return this.decoder.decode(chunk, { stream: true });
    }
    if (typeof chunk !== 'string') return undefined;
    // A string after bytes that ended mid-character: that character was cut, as the peer sees it too.
    const cut = this.pendingBytes ? this.decoder.decode() : '';
    this.pendingBytes = false;
    if (typeof encoding === 'string' && encoding !== 'utf8' && encoding !== 'utf-8' && encoding !== 'buffer') {
      return cut + Buffer.from(chunk, encoding as BufferEncoding).toString('utf8');
    }
    return cut + chunk;
  }
}

export interface JsonRpcMessage {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/** Parses one line as a JSON-RPC message (or the first of a batch); undefined when it is not one. */
export function parseMessage(line: string): JsonRpcMessage | undefined {
  const first = line.charCodeAt(0);
  if (first !== 123 /* { */ && first !== 91 /* [ */) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (Array.isArray(value)) value = value[0];
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as JsonRpcMessage;
  return message.jsonrpc === '2.0' ? message : undefined;
}

/** Every JSON-RPC message of a line (batches included). */
export function parseMessages(line: string): JsonRpcMessage[] {
  const first = line.charCodeAt(0);
  if (first !== 123 && first !== 91) return [];
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return [];
  }
  const list = Array.isArray(value) ? value : [value];
  return list.filter(
    (m): m is JsonRpcMessage => typeof m === 'object' && m !== null && (m as JsonRpcMessage).jsonrpc === '2.0',
  );
}

export interface ServerHello {
  serverInfo?: ServerInfo;
  protocolVersion?: string;
}

/** The facts of an `initialize` result: serverInfo (name, version, title, description, websiteUrl) and protocol version, strings only. */
export function helloOf(result: unknown): ServerHello {
  const hello: ServerHello = {};
  if (typeof result !== 'object' || result === null) return hello;
  const r = result as { serverInfo?: unknown; protocolVersion?: unknown };
  if (typeof r.protocolVersion === 'string') hello.protocolVersion = r.protocolVersion.slice(0, 40);
  const info = serverInfoOf(r.serverInfo);
  if (info) hello.serverInfo = info;
  return hello;
}

/**
 * MCP's `Implementation` (serverInfo; title, description and websiteUrl since 2025-06-18 and
 * 2025-11-25) as strings only, cut to a first bound; cleanServerFacts sanitizes and bounds again.
 */
export function serverInfoOf(value: unknown): ServerInfo | undefined {
  const info = value as { name?: unknown; version?: unknown; title?: unknown; description?: unknown; websiteUrl?: unknown } | null | undefined;
  if (!info || typeof info !== 'object' || typeof info.name !== 'string' || info.name.length === 0) return undefined;
  const out: ServerInfo = { name: info.name.slice(0, 200) };
  if (typeof info.version === 'string') out.version = info.version.slice(0, 80);
  if (typeof info.title === 'string' && info.title) out.title = info.title.slice(0, 400);
  if (typeof info.description === 'string' && info.description) out.description = info.description.slice(0, 2000);
  if (typeof info.websiteUrl === 'string' && info.websiteUrl) out.websiteUrl = info.websiteUrl.slice(0, 4000);
  return out;
}

/** Tool names of a `tools/list` result (names only, at most 500). */
export function toolNamesOf(result: unknown): string[] | undefined {
  const tools = (result as { tools?: unknown } | undefined)?.tools;
  if (!Array.isArray(tools)) return undefined;
  const names: string[] = [];
  for (const tool of tools) {
    const name = (tool as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && names.length < 500) names.push(name.slice(0, 200));
  }
  return names;
}

/** The name an MCP request is about: the tool for tools/call, scheme+host of the URI for resources/read. */
export function callNameOf(method: string, params: unknown): string | undefined {
  const p = params as { name?: unknown; uri?: unknown } | undefined;
  if (method === 'tools/call' && typeof p?.name === 'string') return p.name.slice(0, 200);
  if (method === 'resources/read' && typeof p?.uri === 'string') return uriLabel(p.uri);
  return undefined;
}

/** `file:///etc/passwd` → `file://`; `test://static/resource/1` → `test://static`. Never the full path. */
export function uriLabel(uri: string): string {
  const match = /^([a-z][a-z0-9+.-]*):(\/\/([^/?#]*))?/i.exec(uri);
  if (!match) return 'resource';
  const host = (match[3] ?? '').replace(/^[^@]*@/, '');
  return match[2] !== undefined ? `${match[1]}://${host}` : `${match[1]}:`;
}

/** Whether a line names a method worth a look after the handshake (a substring test, before any parse). */
export function mentionsWatchedMethod(line: string): boolean {
  return line.includes('"tools/call"') || line.includes('"resources/read"') || line.includes('"tools/list"');
}
