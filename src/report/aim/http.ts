import Client from 'undici/lib/dispatcher/client.js';
import buildConnector from 'undici/lib/core/connect.js';
// `Client.prototype.request` is added by undici's index, which we do not load: call it directly.
import apiRequest from 'undici/lib/api/api-request.js';

/**
 * The HTTP client of the reporter (and of `aim doctor`): one origin, one request at a time,
 * loaded only when there is something to send. Its sockets never hold the process open, so an
 * app that is done exits; `beforeExit` then decides how long to wait. Errors carry a code, never
 * a header.
 *
 * undici's `Client` on Node 22 and later. On Node 20, undici's HTTP parser is WebAssembly whose
 * background compilation V8 11 finishes before the process may exit: measured here, +80 to
 * +270 ms on the exit of every short process that sent a report. There the client is Node's own
 * `http` (a C++ parser, nothing left to finish at exit).
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
}

export interface Transport {
  request(method: 'GET' | 'POST', path: string, body: unknown, options: RequestOptions): Promise<HttpResult>;
  close(): void;
}

/** Bigger answers are not read: AIM's answers to us are a few hundred bytes. */
const MAX_BODY = 64 * 1024;

/**
 * `holdProcess`: for the CLI (`aim doctor`), where the request is the program and must keep the
 * process alive; the agent never sets it.
 */
export function createTransport(base: URL, apiKey: string, userAgent: string, holdProcess = false): Transport {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 22
    ? createUndiciTransport(base, apiKey, userAgent, holdProcess)
    : createNodeHttpTransport(base, apiKey, userAgent, holdProcess);
}

function requestHeaders(apiKey: string, userAgent: string, body: unknown): { headers: Record<string, string>; payload?: string } {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': userAgent,
    'x-api-key': apiKey,
  };
  if (body === undefined) return { headers };
  const payload = JSON.stringify(body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(payload));
  return { headers, payload };
}

/** Reads at most MAX_BODY bytes of JSON; a bigger or broken body is noted, never thrown. */
async function readJson(stream: AsyncIterable<Buffer> & { destroy(): void }, result: HttpResult): Promise<HttpResult> {
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

/** Node's own http/https client: for Node 20 (see above). */
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
        agent ??= new (mod().Agent)({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 1000 });
        let settled = false;
        const finish = (error: TransportError | undefined, result?: HttpResult): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve(result!);
        };
        const req = mod().request({
          protocol: base.protocol,
          hostname: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port || undefined,
          path: prefix + path,
          method,
          headers,
          agent,
        });
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
        // Node refs a kept-alive socket again when it reuses it: unref it for every request.
        if (!holdProcess) req.on('socket', (socket) => socket.unref());
        req.on('error', (error) => finish(new TransportError(errorCode(error))));
        req.on('response', (res) => {
          const result: HttpResult = { status: res.statusCode ?? 0, headers: res.headers };
          res.on('error', () => {});
          readJson(res, result).then(
            (r) => finish(undefined, r),
            (error: unknown) => finish(new TransportError(errorCode(error))),
          );
        });
        req.end(payload);
      });
    },
    close() {
      agent?.destroy();
      agent = undefined;
    },
  };
}

/** undici's HTTP/1 client: for Node 22 and later. */
export function createUndiciTransport(base: URL, apiKey: string, userAgent: string, holdProcess = false): Transport {
  const origin = base.origin;
  const prefix = base.pathname.replace(/\/+$/, '');
  const connect = buildConnector({ timeout: 5000 });
  let client: InstanceType<typeof Client> | undefined;

  function getClient(): InstanceType<typeof Client> {
    if (!client || client.closed || client.destroyed) {
      client = new Client(origin, {
        pipelining: 1,
        keepAliveTimeout: 4000,
        connect: holdProcess ? connect : unrefConnector(connect),
      });
    }
    return client;
  }

  return {
    async request(method, path, body, options) {
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, options.timeoutMs);
      timer.unref();
      const onAbort = (): void => controller.abort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const { headers, payload } = requestHeaders(apiKey, userAgent, body);
        const response = await apiRequest.call(getClient(), {
          method,
          path: prefix + path,
          headers,
          body: payload,
          signal: controller.signal,
          // Our own unref'd timer bounds the request: undici's would be ref'd timers below 1 s.
          headersTimeout: 0,
          bodyTimeout: 0,
        });
        const result: HttpResult = { status: response.statusCode, headers: response.headers };
        return await readJson(response.body as unknown as AsyncIterable<Buffer> & { destroy(): void }, result);
      } catch (error) {
        // A broken connection leaves the client in an unknown state: start a fresh one.
        const failed = client;
        client = undefined;
        failed?.destroy().catch(() => {});
        if (timedOut) throw new TransportError('TIMEOUT');
        if (options.signal?.aborted) throw new TransportError('ABORTED');
        throw new TransportError(errorCode(error));
      } finally {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      }
    },
    close() {
      const c = client;
      client = undefined;
      c?.destroy().catch(() => {});
    },
  };
}

type Connector = ReturnType<typeof buildConnector>;

/** Wraps undici's connector so that its sockets never hold the process open. */
function unrefConnector(connect: Connector): Connector {
  return (options, callback) => {
    // undici's connector returns the socket (its type says void).
    const socket = (connect as unknown as (o: typeof options, c: typeof callback) => unknown)(options, callback) as
      | { unref?: () => void; ref?: unknown }
      | undefined;
    // undici refs a busy socket again only when `ref` exists.
    socket?.unref?.();
    if (socket) socket.ref = undefined;
    return socket as unknown as void;
  };
}

function errorCode(error: unknown): string {
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
