import { subscribe } from 'node:diagnostics_channel';
import { observe, type Caller } from '../observations/index.js';
import { isOwnAgent } from '../platform/index.js';
import { copyOwnProperties, whenBuiltinLoaded } from './builtins.js';
import { callerOf } from './caller.js';
import { readStatementsOf, statementsWanted } from './db-wire.js';
import { health, internalError } from './health.js';

/**
 * Network evidence without patching: Node publishes every outbound HTTP request (http, https,
 * fetch/undici) and TCP connection on diagnostics channels, on every supported version.
 * Each distinct destination is looked at once; after that a request costs a Set lookup.
 */
const MAX_DESTINATIONS = 256;
/** Sockets to known destinations are looked at until this many; then one in SOCKET_SAMPLE (a stack each). */
const SOCKETS_IN_FULL = 64;
const SOCKET_SAMPLE = 16;
let sockets = 0;
const seen = new Set<string>();
/**
 * The http request channel fires a tick after `http.request`, without the caller's frames; the
 * socket it rides on was opened synchronously inside `http.request`, so its caller is the request's.
 */
const socketCallers = new WeakMap<object, Caller>();
/**
 * The caller of the first fetch/undici request per origin. Node's own fetch (22 and later) opens
 * its socket from its connection pool, with no frame of the program on the stack: the connection
 * is the request's, so it gets the request's caller.
 */
const undiciCallers = new Map<string, Caller>();
/** Sockets whose connect had no frame of the program (Node's own, or aim's): not evidence of a connection. */
const unattributedSockets = new WeakSet<object>();

/** By the socket pool the reporter marked, never by a header the program could send too (platform/own-agents.ts). */
function isOwnRequest(request: HttpClientRequest): boolean {
  return isOwnAgent(request.agent);
}

interface UndiciRequest {
  origin?: string | URL;
  method?: string;
  path?: string;
}
interface HttpClientRequest {
  method?: string;
  protocol?: string;
  host?: string;
  path?: string;
  socket?: object | null;
  agent?: unknown;
}
type NetSocket = object;

function firstTime(key: string): boolean {
  if (seen.has(key) || seen.size >= MAX_DESTINATIONS) return false;
  seen.add(key);
  return true;
}

function withoutQuery(path: string | undefined): string {
  if (!path) return '/';
  const cut = path.search(/[?#]/);
  return cut < 0 ? path : path.slice(0, cut);
}

function onUndiciRequest(message: unknown): void {
  if (health.inert) return;
  try {
    const request = (message as { request?: UndiciRequest }).request;
    if (!request?.origin) return;
    const origin = new URL(String(request.origin));
    const method = request.method ?? 'GET';
    const path = withoutQuery(request.path);
    if (!firstTime(`u ${method} ${origin.host}${path}`)) return;
    const caller = callerOf(onUndiciRequest, true);
    if (!caller) return;
    if (!undiciCallers.has(origin.origin) && undiciCallers.size < MAX_DESTINATIONS) undiciCallers.set(origin.origin, caller);
    observe({ kind: 'http', client: 'undici', method, protocol: origin.protocol, host: origin.host, path, caller });
  } catch (error) {
    internalError(error);
  }
}

/** undici is about to open a socket for an origin: a connection attempt of the program that asked for it. */
function onUndiciConnect(message: unknown): void {
  if (health.inert) return;
  try {
    const params = (message as { connectParams?: { protocol?: unknown; host?: unknown; hostname?: unknown; port?: unknown } }).connectParams;
    if (!params || typeof params.hostname !== 'string' || typeof params.host !== 'string') return;
    const protocol = typeof params.protocol === 'string' ? params.protocol : 'http:';
    const caller = undiciCallers.get(`${protocol}//${params.host}`);
    if (!caller) return;
    const host = params.hostname.replace(/^\[|\]$/g, '');
    const port = Number(params.port) || (protocol === 'https:' ? 443 : 80);
    if (!firstTime(`c ${host}:${port}`)) return;
    observe({ kind: 'connect', host, port, caller });
  } catch (error) {
    internalError(error);
  }
}

function onHttpRequest(message: unknown): void {
  if (health.inert) return;
  try {
    const request = (message as { request?: HttpClientRequest }).request;
    if (!request || isOwnRequest(request)) return;
    const method = request.method ?? 'GET';
    const host = request.host ?? 'localhost';
    const path = withoutQuery(request.path);
    if (!firstTime(`h ${method} ${host}${path}`)) return;
    // The channel fires a tick late, from Node's frames only: without the socket's caller (a
    // socket not sampled) the request is still the program's, at an unknown line.
    const caller = (request.socket && socketCallers.get(request.socket)) || callerOf(onHttpRequest, true);
    if (!caller) return;
    observe({ kind: 'http', client: 'http', method, protocol: request.protocol ?? 'http:', host, path, caller });
  } catch (error) {
    internalError(error);
  }
}

/** Where a `Socket#connect` call goes, from its arguments (Node's own argument forms). */
interface Target {
  host?: string;
  port?: number;
  path?: string;
}

/**
 * `connect(options)`, `connect(path)`, `connect(port[, host])`, or the already-normalized
 * `[options, callback]` array that `net.connect` and `tls.connect` hand to it.
 */
export function targetOf(args: ArrayLike<unknown>): Target | undefined {
  let first = args[0];
  if (Array.isArray(first)) first = first[0];
  if (first && typeof first === 'object') {
    const options = first as { path?: unknown; port?: unknown; host?: unknown };
    if (typeof options.path === 'string' && options.path) return { path: options.path };
    if (options.port === undefined || options.port === null) return undefined;
    return { host: typeof options.host === 'string' && options.host ? options.host : 'localhost', port: Number(options.port) };
  }
  if (typeof first === 'string' && !/^\s*\d+\s*$/.test(first)) return { path: first };
  if (typeof first === 'number' || typeof first === 'string') {
    return { host: typeof args[1] === 'string' && args[1] ? args[1] : 'localhost', port: Number(first) };
  }
  return undefined;
}

/**
 * Every client socket opens through `net.Socket.prototype.connect`: `net.connect`, `tls.connect`,
 * http agents, and drivers that do `new net.Socket().connect()` (pg). The call is seen when it is
 * made, with the caller's frames, so an attempt that fails counts too. A new destination costs a
 * stack capture; a known one a Set lookup (and a sampled stack, for the requests riding on it).
 */
function watchSocketConnect(net: Record<string, unknown>): void {
  const prototype = (net.Socket as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  const original = prototype?.connect;
  if (!prototype || typeof original !== 'function') return;
  const connect = function (this: NetSocket): unknown {
    let caller: Caller | undefined;
    if (!health.inert) {
      try {
        caller = onConnect(this, arguments, connect);
      } catch (error) {
        internalError(error);
      }
    }
    const result: unknown = Reflect.apply(original, this, arguments);
    if (caller) {
      try {
        readStatementsOf(this, caller);
      } catch (error) {
        internalError(error);
      }
    }
    return result;
  };
  copyOwnProperties(original, connect);
  prototype.connect = connect;
}

/** Records the connection; returns its caller when one was looked up. */
function onConnect(socket: NetSocket, args: ArrayLike<unknown>, skip: Function): Caller | undefined {
  if (unattributedSockets.has(socket)) return undefined;
  const target = targetOf(args);
  if (!target) return undefined;
  const key = target.path === undefined ? `c ${target.host}:${target.port}` : `c ${target.path}`;
  const isNew = !seen.has(key) && seen.size < MAX_DESTINATIONS;
  const sampled = ++sockets <= SOCKETS_IN_FULL || sockets % SOCKET_SAMPLE === 0;
  if (!isNew && !sampled && !statementsWanted()) return undefined;
  const caller = callerOf(skip, true);
  if (!caller) {
    unattributedSockets.add(socket);
    return undefined;
  }
  socketCallers.set(socket, caller);
  if (isNew) {
    seen.add(key);
    observe({ kind: 'connect', ...target, caller });
  }
  return caller;
}

/**
 * HTTP/2 clients (the AWS SDK's Bedrock and Transcribe streaming, gRPC) publish no request channel
 * on older Node: `http2.connect` is wrapped to learn the authority, and the first session's
 * prototype `request` to see each stream's method and path.
 */
const sessionOrigins = new WeakMap<object, URL>();
let http2RequestPatched = false;

function watchHttp2(http2: Record<string, unknown>): void {
  const connect = http2.connect;
  if (typeof connect !== 'function') return;
  const wrapped = function (this: unknown, authority: unknown): unknown {
    const session: unknown = Reflect.apply(connect, this, arguments);
    try {
      if (session && typeof session === 'object') {
        const origin = new URL(String(authority instanceof URL ? authority.href : authority));
        sessionOrigins.set(session, origin);
        if (!http2RequestPatched) patchHttp2Request(Object.getPrototypeOf(session) as Record<string, unknown>);
      }
    } catch (error) {
      internalError(error);
    }
    return session;
  };
  copyOwnProperties(connect, wrapped);
  http2.connect = wrapped;
}

function patchHttp2Request(prototype: Record<string, unknown>): void {
  const request = prototype.request;
  if (typeof request !== 'function') return;
  http2RequestPatched = true;
  const wrapped = function (this: object, headers: unknown): unknown {
    if (!health.inert) {
      try {
        onHttp2Request(this, headers, wrapped);
      } catch (error) {
        internalError(error);
      }
    }
    return Reflect.apply(request, this, arguments);
  };
  copyOwnProperties(request, wrapped);
  prototype.request = wrapped;
}

function onHttp2Request(session: object, headers: unknown, skip: Function): void {
  const origin = sessionOrigins.get(session);
  if (!origin) return;
  const fields = (headers ?? {}) as Record<string, unknown>;
  const method = typeof fields[':method'] === 'string' ? fields[':method'] : 'GET';
  const path = withoutQuery(typeof fields[':path'] === 'string' ? fields[':path'] : '/');
  if (!firstTime(`h2 ${method} ${origin.host}${path}`)) return;
  const caller = callerOf(skip, true);
  if (caller) observe({ kind: 'http', client: 'http2', method, protocol: origin.protocol, host: origin.host, path, caller });
}

const networkChannels: [string, (message: unknown) => void][] = [
  ['undici:request:create', onUndiciRequest],
  ['undici:client:beforeConnect', onUndiciConnect],
  ['http.client.request.start', onHttpRequest],
];

/**
 * Every network hook but those AIM_DISABLED_HOOKS turned off. `net.client.socket` names the
 * client-socket patch (Socket#connect), which replaced that channel: the channel fires only for
 * `net.connect`, never for `new net.Socket().connect()`.
 */
export function subscribeNetworkChannels(disabled: ReadonlySet<string> = new Set()): void {
  for (const [name, listener] of networkChannels) if (!disabled.has(name)) subscribe(name, listener);
  if (!disabled.has('net.client.socket')) whenBuiltinLoaded('net', watchSocketConnect);
  if (!disabled.has('http.client.request.start')) whenBuiltinLoaded('http2', watchHttp2);
}
