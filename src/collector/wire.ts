import type * as http from 'node:http';

/**
 * The collector's own HTTP plumbing: reading a bounded body, answering JSON, and what of a
 * request's headers may be kept (never a key).
 */
export interface Answer {
  status: number;
  body: unknown;
  /** What the per-request log line adds after the route. */
  line?: string;
  headers?: Record<string, string>;
}

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

export function parseOr(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 200);
  }
}

export function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Header values we keep: names always, values only for harmless headers. */
export function safeHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'x-api-key' || name === 'authorization' || name === 'cookie') out[name] = '[redacted]';
    else if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Upstream's internal error body. */
export function internalError(): Answer {
  return { status: 500, body: { error: true, message: 'Internal Server Error', timestamp: new Date().toISOString() } };
}
