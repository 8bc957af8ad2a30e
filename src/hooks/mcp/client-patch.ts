/**
 * The SDK layer, patching: a client library's `Client` class gets `connect` and `request`
 * wrapped on the prototype (the app's objects and bytes stay untouched) to add serverInfo, tool
 * names and calls for transports the wire cannot read (HTTP without body channels).
 */
import type { McpTransport } from '../../observations/index.js';
import { redactArgs, redactCommand } from '../../platform/index.js';
import { copyOwnProperties, emitCall, emitServer, internalError, now, sdkFollowedKeys, type LaunchFacts } from './emit.js';
import { callNameOf, serverInfoOf, toolNamesOf } from './jsonrpc.js';
import { httpKey, nameFromCommand, nameFromUrl, stdioKey } from './naming.js';

const PATCHED = Symbol.for('aim.mcp.client');

interface ClientLike {
  getServerVersion?: () => unknown;
  transport?: unknown;
  _transport?: unknown;
}

interface Followed {
  key: string;
  transport: McpTransport;
  announcedInfo: boolean;
}

const followed = new WeakMap<object, Followed>();

/** Patches `connect` and `request` of a Client class prototype, once. */
export function patchClientClass(Client: unknown, library: string, version: string | undefined): void {
  if (typeof Client !== 'function') return;
  const proto = (Client as { prototype?: Record<string | symbol, unknown> }).prototype;
  if (!proto || proto[PATCHED]) return;
  Object.defineProperty(proto, PATCHED, { value: true });
  const clientLibrary = version ? { name: library, version } : { name: library };

  const connect = proto.connect;
  if (typeof connect === 'function') {
    const wrappedConnect = function (this: ClientLike, transport: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params
      const result = (connect as (...a: unknown[]) => unknown).apply(this, arguments as unknown as unknown[]);
      try {
        const facts = transportFacts(transport);
        if (facts && result && typeof (result as Promise<unknown>).then === 'function') {
          sdkFollowedKeys.add(facts.key);
          const client = this;
          (result as Promise<unknown>).then(
            () => announce(client, facts, clientLibrary, true),
            () => emitServer('failed', { ...facts, clientLibrary, failed: true, connectedAt: now() }),
          );
        }
      } catch (error) {
        internalError(error);
      }
      return result;
    };
    copyOwnProperties(connect, wrappedConnect);
    proto.connect = wrappedConnect;
  }

  const request = proto.request;
  if (typeof request === 'function') {
    const wrappedRequest = function (this: ClientLike, message: unknown): unknown {
      // Followed before the request goes out: the SDK writes it to the wire at once, and the wire
      // layer must already know this key is the SDK layer's, or the first call is counted twice.
      let info: Followed | undefined;
      try {
        info = follow(this, message, clientLibrary);
      } catch (error) {
        internalError(error);
      }
      // eslint-disable-next-line prefer-rest-params
      const result = (request as (...a: unknown[]) => unknown).apply(this, arguments as unknown as unknown[]);
      try {
        if (info) onRequest(info, message, result);
      } catch (error) {
        internalError(error);
      }
      return result;
    };
    copyOwnProperties(request, wrappedRequest);
    proto.request = wrappedRequest;
  }
}

function announce(client: ClientLike, facts: LaunchFacts, clientLibrary: { name: string; version?: string }, connected: boolean): void {
  try {
    let info = followed.get(client as object);
    if (!info) {
      info = { key: facts.key, transport: facts.transport, announcedInfo: false };
      followed.set(client as object, info);
    }
    const serverInfo = serverInfoOf(safeCall(client.getServerVersion, client));
    const transport = client.transport ?? client._transport;
    const protocol = readProp(transport, 'protocolVersion') ?? readProp(transport, '_protocolVersion');
    if (info.announcedInfo && !serverInfo) return;
    info.announcedInfo = info.announcedInfo || Boolean(serverInfo);
    emitServer(connected || serverInfo ? 'sdk-connected' : 'attempted', {
      ...facts,
      clientLibrary,
      ...(serverInfo ? { serverInfo, failed: false } : {}),
      ...(typeof protocol === 'string' ? { protocolVersion: protocol.slice(0, 40) } : {}),
      connectedAt: now(),
    });
  } catch (error) {
    internalError(error);
  }
}

/** The client of a request (not the handshake) as the SDK layer follows it, announced once. */
function follow(client: ClientLike, message: unknown, clientLibrary: { name: string; version?: string }): Followed | undefined {
  const method = (message as { method?: unknown } | null)?.method;
  if (typeof method !== 'string' || method === 'initialize') return undefined;
  const info = followed.get(client as object);
  if (!info || !info.announcedInfo) {
    const facts = transportFacts(client.transport ?? client._transport);
    if (!facts) return info;
    sdkFollowedKeys.add(facts.key);
    announce(client, facts, clientLibrary, false);
  }
  return followed.get(client as object);
}

/** A request of a followed client: a call is counted, a tool list read from its answer. */
function onRequest(info: Followed, message: unknown, result: unknown): void {
  const method = (message as { method: string }).method;
  const key = info.key;
  const transport = info.transport;
  if (method === 'tools/call' || method === 'resources/read') {
    emitCall(key, method, callNameOf(method, (message as { params?: unknown }).params));
  } else if (method === 'tools/list' && result && typeof (result as Promise<unknown>).then === 'function') {
    (result as Promise<unknown>).then(
      (value) => {
        try {
          const tools = toolNamesOf(value);
          if (tools) emitServer('attempted', { key, transport, tools });
        } catch (error) {
          internalError(error);
        }
      },
      () => undefined,
    );
  }
}


/** Key, name and launch facts of a client transport object (stdio, Streamable HTTP, SSE, WebSocket). */
export function transportFacts(transport: unknown): LaunchFacts | undefined {
  if (!transport || typeof transport !== 'object') return undefined;
  const params = readProp(transport, '_serverParams') as { command?: unknown; args?: unknown; cwd?: unknown } | undefined;
  if (params && typeof params.command === 'string') {
    const args = Array.isArray(params.args) ? params.args.map(String) : [];
    return {
      key: stdioKey(params.command, args),
      name: nameFromCommand(params.command, args),
      transport: 'stdio',
      command: redactCommand(params.command),
      args: redactArgs(args),
      cwd: typeof params.cwd === 'string' ? params.cwd : process.cwd(),
    };
  }
  const url = readProp(transport, '_url') ?? readProp(transport, 'url');
  if (url instanceof URL || typeof url === 'string') {
    const key = httpKey(String(url));
    const ctor = (transport as { constructor?: { name?: unknown } }).constructor?.name;
    const name = typeof ctor === 'string' ? ctor : '';
    const kind: McpTransport = /websocket/i.test(name) || /^wss?:/.test(key)
      ? 'websocket'
      : /^SSE/i.test(name) || /SSEClient/i.test(name)
        ? 'sse'
        : 'streamable-http';
    return { key, name: nameFromUrl(key), transport: kind, url: key };
  }
  return undefined;
}

function readProp(object: unknown, name: string): unknown {
  try {
    return object && typeof object === 'object' ? (object as Record<string, unknown>)[name] : undefined;
  } catch {
    return undefined;
  }
}

function safeCall(fn: unknown, self: unknown): unknown {
  try {
    return typeof fn === 'function' ? (fn as () => unknown).call(self) : undefined;
  } catch {
    return undefined;
  }
}
