import { subscribe } from 'node:diagnostics_channel';
import { observe, type Caller } from '../observations/index.js';
import { isOwnAgent } from '../platform/index.js';
import { callerOf } from './caller.js';
import { health, internalError } from './health.js';

/**
 * Network evidence without patching: Node publishes every outbound HTTP request (http, https,
 * fetch/undici) and TCP connection on diagnostics channels, on every supported version.
 * Each distinct destination is looked at once; after that a request costs a Set lookup.
 */
const MAX_DESTINATIONS = 256;
/** Sockets are looked at one by one until this many; after that one in SOCKET_SAMPLE (a stack each). */
const SOCKETS_IN_FULL = 64;
const SOCKET_SAMPLE = 16;
let sockets = 0;
const seen = new Set<string>();
/**
 * The http request channel fires a tick after `http.request`, without the caller's frames; the
 * socket it rides on was opened synchronously inside `http.request`, so its caller is the request's.
 */
const socketCallers = new WeakMap<object, Caller>();

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
interface NetSocket {
  once(event: 'connect', listener: () => void): void;
  remotePort?: number;
  _host?: string | null;
  remoteAddress?: string;
}

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
    observe({ kind: 'http', client: 'undici', method, protocol: origin.protocol, host: origin.host, path, caller });
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

/** The host and port are known only once connected; a 'connect' listener is harmless to the app. */
function onSocket(message: unknown): void {
  if (health.inert || seen.size >= MAX_DESTINATIONS) return;
  if (++sockets > SOCKETS_IN_FULL && sockets % SOCKET_SAMPLE !== 0) return;
  try {
    const socket = (message as { socket?: NetSocket }).socket;
    if (!socket || typeof socket.once !== 'function') return;
    // No frame of the program: not evidence of a connection. Not proof it is aim's either (Node
    // opens an agent's sockets on a later tick too): aim's own requests are known by their agent.
    const caller = callerOf(onSocket, true);
    if (!caller) return;
    socketCallers.set(socket, caller);
    socket.once('connect', () => {
      try {
        const host = socket._host || socket.remoteAddress;
        const port = socket.remotePort ?? 0;
        if (!host) return; // a local IPC socket, not the network
        if (firstTime(`c ${host}:${port}`)) observe({ kind: 'connect', host, port, caller });
      } catch (error) {
        internalError(error);
      }
    });
  } catch (error) {
    internalError(error);
  }
}

const networkChannels: [string, (message: unknown) => void][] = [
  ['undici:request:create', onUndiciRequest],
  ['http.client.request.start', onHttpRequest],
  ['net.client.socket', onSocket],
];

/** Every network channel but those AIM_DISABLED_HOOKS turned off. */
export function subscribeNetworkChannels(disabled: ReadonlySet<string> = new Set()): void {
  for (const [name, listener] of networkChannels) if (!disabled.has(name)) subscribe(name, listener);
}
