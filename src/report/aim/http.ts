import Client from 'undici/lib/dispatcher/client.js';
import buildConnector from 'undici/lib/core/connect.js';
// `Client.prototype.request` is added by undici's index, which we do not load: call it directly.
import apiRequest from 'undici/lib/api/api-request.js';

/**
 * The one HTTP client of the reporter (and of `aim doctor`): undici's `Client` on one origin,
 * one request at a time, loaded only when there is something to send. Its sockets never hold the
 * process open (the connector unrefs them and undici cannot ref them again), so an app that is
 * done exits; `beforeExit` then decides how long to wait. Errors carry a code, never a header.
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
        const headers: Record<string, string> = {
          accept: 'application/json',
          'user-agent': userAgent,
          'x-api-key': apiKey,
        };
        let payload: string | undefined;
        if (body !== undefined) {
          payload = JSON.stringify(body);
          headers['content-type'] = 'application/json';
        }
        const response = await apiRequest.call(getClient(), {
          method,
          path: prefix + path,
          headers,
          body: payload,
          signal: controller.signal,
          headersTimeout: Math.max(1000, options.timeoutMs),
          bodyTimeout: Math.max(1000, options.timeoutMs),
        });
        const result: HttpResult = { status: response.statusCode, headers: response.headers };
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > MAX_BODY) {
            result.bodyProblem = 'too-large';
            response.body.destroy();
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
