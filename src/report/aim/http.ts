import { markOwnAgent } from '../../platform/index.js';

/**
 * The HTTP client of the reporter (and of `aim doctor`): one origin, one request at a time,
 * loaded only when there is something to send. Its sockets never hold the process open, so an
 * app that is done exits; `beforeExit` then decides how long to wait. Errors carry a code, never
 * a header.
 *
 * Node's own `http`/`https`, not undici. Measured here (5 requests to the collector, RSS after
 * GC): undici +12 to +18 MiB and 20 ms, Node's http +2 MiB and 12 ms, on Node 20, 22 and 24.
 * undici's HTTP parser is WebAssembly: its code alone breaks the +15 MiB budget, and on Node 20
 * V8 finishes its background compilation before the process may exit (+80 to +270 ms on the exit
 * of every short process that sent a report).
 */
export interface HttpResult {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, when the body was JSON and small enough. */
  body?: unknown;
  bodyProblem?: 'too-large' | 'not-json';
}

export class TransportError extends Error {
  constructor(
    /** `ECONNREFUSED`, `ECONNRESET`, `TIMEOUT`, `ABORTED`, ... */
    readonly code: string,
  ) {
    super(`request failed: ${code}`);
    this.name = 'TransportError';
  }
}

export interface RequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Extra headers computed from the exact request target (prefix + path + query) and body bytes
   * of this very request: the signed generation signs here, so every retry is signed anew.
   */
  sign?: (target: string, payload: string | undefined) => Record<string, string>;
}

export interface Transport {
  request(method: 'GET' | 'POST', path: string, body: unknown, options: RequestOptions): Promise<HttpResult>;
  close(): void;
}

/** Bigger answers are not read: AIM's answers to us are a few hundred bytes. */
export const MAX_BODY = 64 * 1024;

export function requestHeaders(apiKey: string, userAgent: string, body: unknown): { headers: Record<string, string>; payload?: string } {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': userAgent,
  };
  // No key (the signed generation): no X-API-Key header at all.
  if (apiKey) headers['x-api-key'] = apiKey;
  if (body === undefined) return { headers };
  const payload = JSON.stringify(body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(payload));
  return { headers, payload };
}

/** Reads at most MAX_BODY bytes of JSON; a bigger or broken body is noted, never thrown. */
export async function readJson(stream: AsyncIterable<Buffer> & { destroy(): void }, result: HttpResult): Promise<HttpResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > MAX_BODY) {
      result.bodyProblem = 'too-large';
      stream.destroy();
      break;
    }
    chunks.push(chunk);
  }
  if (!result.bodyProblem && size > 0) {
    try {
      result.body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      result.bodyProblem = 'not-json';
    }
  }
  return result;
}

/**
 * Node's own http/https client (see above). `holdProcess`: for the CLI (`aim doctor`), where the
 * request is the program and must keep the process alive; the agent never sets it.
 */
export function createNodeHttpTransport(base: URL, apiKey: string, userAgent: string, holdProcess = false): Transport {
  const secure = base.protocol === 'https:';
  // Loaded at the first request, not before: the app may never have loaded http itself.
  const mod = (): typeof import('node:https') =>
    process.getBuiltinModule(secure ? 'node:https' : 'node:http') as typeof import('node:https');
  const prefix = base.pathname.replace(/\/+$/, '');
  let agent: import('node:http').Agent | undefined;

  return {
    request(method, path, body, options) {
      return new Promise<HttpResult>((resolve, reject) => {
        const { headers, payload } = requestHeaders(apiKey, userAgent, body);
        if (options.sign) Object.assign(headers, options.sign(prefix + path, payload));
        // Marked: the network hooks know aim's requests by this pool, not by their User-Agent.
        agent ??= ownAgent(new (mod().Agent)({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 1000 }));
        let settled = false;
        let req: import('node:http').ClientRequest;
        const finish = (error: TransportError | undefined, result?: HttpResult): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve(result!);
        };
        const timer = setTimeout(() => {
          finish(new TransportError('TIMEOUT'));
          req.destroy();
        }, options.timeoutMs);
        timer.unref();
        const onAbort = (): void => {
          finish(new TransportError('ABORTED'));
          req.destroy();
        };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        const send = (again: boolean): void => {
          req = mod().request({
            protocol: base.protocol,
            hostname: base.hostname.replace(/^\[|\]$/g, ''),
            port: base.port || undefined,
            path: prefix + path,
            method,
            headers,
            agent,
          });
          // Node refs a kept-alive socket again when it reuses it: unref it for every request.
          if (!holdProcess) req.on('socket', (socket) => socket.unref());
          req.on('error', (error) => {
            const code = errorCode(error);
            // The server closed a kept-alive socket as this request went out on it (its idle
            // timeout is not ours to know): once more, on a new socket, now. The reporter would
            // send it again anyway, later and with a warning the user can do nothing about.
            if (!again && !settled && req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) return send(true);
            finish(new TransportError(code));
          });
          req.on('response', (res) => {
            const result: HttpResult = { status: res.statusCode ?? 0, headers: res.headers };
            res.on('error', () => {});
            readJson(res, result).then(
              (r) => finish(undefined, r),
              (error: unknown) => finish(new TransportError(errorCode(error))),
            );
          });
          req.end(payload);
        };
        send(false);
      });
    },
    close() {
      agent?.destroy();
      agent = undefined;
    },
  };
}

export function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z]{2,40}$/.test(name)) return name;
  }
  return 'ERROR';
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(headers: HttpResult['headers'], now = Date.now()): number | undefined {
  const raw = headers['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function ownAgent<T extends object>(agent: T): T {
  markOwnAgent(agent);
  return agent;
}
