import Client from 'undici/lib/dispatcher/client.js';
import buildConnector from 'undici/lib/core/connect.js';
// `Client.prototype.request` is added by undici's index, which we do not load: call it directly.
import apiRequest from 'undici/lib/api/api-request.js';
import { errorCode, readJson, requestHeaders, TransportError, type HttpResult, type Transport } from './http.js';

/**
 * The same transport over undici's HTTP/1 client (only its client, not its index: 450 KB). Not
 * used by default: see http.ts for the measurements. Its sockets are unref'd by the connector,
 * and undici cannot ref them again.
 */
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
        if (options.sign) Object.assign(headers, options.sign(prefix + path, payload));
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

