/**
 * SDK layer: the MCP client modules only. It learns which client library (name, version) is
 * loaded (`sdk_import` when nothing connects), and patches the client class's `connect` and
 * `request` (on the prototype; the app's objects and bytes stay untouched) to add serverInfo,
 * tool names and calls for transports the wire cannot read (HTTP without body channels).
 *
 * How it finds the modules, cheapest first:
 * - Node with synchronous module hooks: one pass-through `resolve` hook (sees require and import)
 *   that compares the resolved URL with the client modules; ESM namespaces are then taken with
 *   import() of the already-loaded URL.
 * - elsewhere, CommonJS: the core's require hook, restricted to the client modules' names.
 * - any Node: the stack of a spawn or stdin write by a client (wire layer), and `require.cache`.
 * No async loader thread is ever registered here.
 */
import { Module, createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { McpTransport } from '../../observations/index.js';
import { featuresOf, importModule } from '../../platform/index.js';
import { copyOwnProperties, emitCall, emitServer, internalError, now, packageVersion, sdkFollowedKeys, type LaunchFacts } from './emit.js';
import { callNameOf, toolNamesOf } from './jsonrpc.js';
import { httpKey, nameFromCommand, nameFromUrl, stdioKey } from './naming.js';
import { redactArgs, redactCommand } from '../../platform/index.js';

interface ClientModule {
  library: string;
  /** The package's directory. */
  dir: string;
  /** The module file (absolute path). */
  file: string;
  flavor: 'cjs' | 'esm';
  /** The transport this module implements, when it is a transport module. */
  transport?: McpTransport;
  /** True for the module that exports the `Client` class. */
  client: boolean;
}

const V1 = /^(.*[\\/]node_modules[\\/]@modelcontextprotocol[\\/]sdk)[\\/]dist[\\/](cjs|esm)[\\/]client[\\/](index|stdio|streamableHttp|sse|websocket)\.js$/;
const V2 = /^(.*[\\/]node_modules[\\/]@modelcontextprotocol[\\/]client)[\\/]dist[\\/](index|stdio)\.(cjs|mjs)$/;
const AI = /^(.*[\\/]node_modules[\\/]@ai-sdk[\\/]mcp)[\\/]dist[\\/](index|mcp-stdio[\\/]index)\.(js|mjs|cjs)$/;

const TRANSPORT_OF: Record<string, McpTransport | undefined> = {
  stdio: 'stdio',
  streamableHttp: 'streamable-http',
  sse: 'sse',
  websocket: 'websocket',
};

/** Which MCP client module a file is, if any. */
export function classifyModule(fileOrUrl: string): ClientModule | undefined {
  let file = fileOrUrl;
  if (file.startsWith('file:')) {
    try {
      file = fileURLToPath(file.replace(/[?#].*$/, ''));
    } catch {
      return undefined;
    }
  }
  let m = V1.exec(file);
  if (m) {
    const base = m[3]!;
    const transport = TRANSPORT_OF[base];
    return { library: '@modelcontextprotocol/sdk', dir: m[1]!, file, flavor: m[2] as 'cjs' | 'esm', client: base === 'index', ...(transport ? { transport } : {}) };
  }
  m = V2.exec(file);
  if (m) {
    const stdio = m[2] === 'stdio';
    return { library: '@modelcontextprotocol/client', dir: m[1]!, file, flavor: m[3] === 'mjs' ? 'esm' : 'cjs', client: !stdio, transport: stdio ? 'stdio' : 'streamable-http' };
  }
  m = AI.exec(file);
  if (m) {
    return { library: '@ai-sdk/mcp', dir: m[1]!, file, flavor: m[3] === 'cjs' ? 'cjs' : 'esm', client: false, transport: m[2] === 'index' ? 'streamable-http' : 'stdio' };
  }
  return undefined;
}

const seenModules = new Set<string>();

/** A client module was resolved or loaded: record `sdk_import`, adopt its Client class. */
export function onClientModule(fileOrUrl: string, exportsNow?: unknown): void {
  const mod = classifyModule(fileOrUrl);
  if (!mod || seenModules.has(mod.file)) return;
  seenModules.add(mod.file);
  const version = packageVersion(mod.dir);
  if (mod.transport) {
    emitServer('sdk-import', {
      key: `sdk_import:${mod.library}:${mod.transport}`,
      name: mod.library,
      transport: mod.transport,
      clientLibrary: version ? { name: mod.library, version } : { name: mod.library },
    });
  }
  if (!mod.client) return;
  if (exportsNow) patchClientClass((exportsNow as { Client?: unknown }).Client, mod.library, version);
  else {
    if (mod.flavor === 'cjs') pendingCjs.set(mod.file, mod);
    setImmediateUnref(() => adoptFile(mod));
  }
}

/**
 * CJS client modules resolved but maybe not loaded yet. The next resolution of anything (the
 * transport module, the SDK's own requires) finds them loaded in require.cache and patches them
 * at once, before the app's next line can call connect().
 */
const pendingCjs = new Map<string, ClientModule>();

function adoptLoadedCjs(): void {
  const cache = (Module as unknown as { _cache?: Record<string, { loaded?: boolean } | undefined> })._cache;
  for (const [file, mod] of pendingCjs) {
    if (cache?.[file]?.loaded) {
      pendingCjs.delete(file);
      adoptFile(mod);
    }
  }
}

function setImmediateUnref(fn: () => void): void {
  const timer = setTimeout(() => {
    try {
      fn();
    } catch (error) {
      internalError(error);
    }
  }, 0);
  timer.unref?.();
}

function adoptCjs(mod: ClientModule, version: string | undefined): void {
  const cache = (Module as unknown as { _cache?: Record<string, { exports?: unknown; loaded?: boolean } | undefined> })._cache;
  const entry = cache?.[mod.file];
  if (entry?.exports) patchClientClass((entry.exports as { Client?: unknown }).Client, mod.library, version);
}

/**
 * Adopts client modules already loaded: called when the wire layer finds an MCP connection.
 * The stack (of a spawn or a write by the client) names the module files in use.
 */
export function adoptFromStack(stack: string | undefined): void {
  try {
    if (stack) {
      for (const match of stack.matchAll(/(?:file:\/\/)?(\/[^\s():]+|[A-Za-z]:\\[^\s():]+)\/?(?=:\d+:\d+)/g)) {
        const file = match[0]!.startsWith('file:') ? safeFileURLToPath(match[0]!) : match[1]!;
        if (!file) continue;
        const client = clientFileNear(file);
        if (client) adoptFile(client);
      }
    }
    adoptPending();
  } catch (error) {
    internalError(error);
  }
}

/**
 * Adopts the CJS client modules in require.cache (ESM ones are adopted when resolved). Without
 * module hooks and with nothing found, the app's own client packages are located from its entry
 * and their ESM builds imported: for an ESM app that is the instance it already loaded.
 */
export function adoptPending(): void {
  const cache = (Module as unknown as { _cache?: Record<string, unknown> })._cache;
  if (cache) {
    for (const file of Object.keys(cache)) {
      if (!file.includes('modelcontextprotocol')) continue;
      const mod = classifyModule(file);
      if (mod?.client) adoptFile(mod);
    }
  }
  if (adopted.size === 0 && !resolveHookInstalled) adoptByResolution();
}

let resolvedOnce = false;

/** The ESM client modules the app's entry would import (v1 SDK, v2 client), adopted once. */
function adoptByResolution(): void {
  if (resolvedOnce) return;
  resolvedOnce = true;
  const entry = process.argv[1];
  if (!entry) return;
  let appRequire: NodeJS.Require;
  try {
    appRequire = createRequire(entry);
  } catch {
    return;
  }
  for (const [specifier, toEsm] of [
    ['@modelcontextprotocol/sdk/client/index.js', (f: string) => f.replace(/([\\/])dist\1cjs\1client\1index\.js$/, '$1dist$1esm$1client$1index.js')],
    ['@modelcontextprotocol/client', (f: string) => f.replace(/index\.cjs$/, 'index.mjs')],
  ] as const) {
    try {
      const esm = classifyModule(toEsm(appRequire.resolve(specifier)));
      if (esm?.client && esm.flavor === 'esm') adoptFile(esm);
    } catch {
      // not a dependency of the app
    }
  }
}

function safeFileURLToPath(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}

/** From any file of a client package, the module that exports its Client class. */
function clientFileNear(file: string): ClientModule | undefined {
  const v1 = /^(.*[\\/]node_modules[\\/]@modelcontextprotocol[\\/]sdk)[\\/]dist[\\/](cjs|esm)[\\/]/.exec(file);
  if (v1) return classifyModule(`${v1[1]}/dist/${v1[2]}/client/index.js`);
  const v2 = /^(.*[\\/]node_modules[\\/]@modelcontextprotocol[\\/]client)[\\/]dist[\\/].*\.(mjs|cjs)$/.exec(file);
  if (v2) return classifyModule(`${v2[1]}/dist/index.${v2[2]}`);
  return undefined;
}

const adopted = new Set<string>();

function adoptFile(mod: ClientModule): void {
  pendingCjs.delete(mod.file);
  if (adopted.has(mod.file)) return;
  adopted.add(mod.file);
  const version = packageVersion(mod.dir);
  if (mod.flavor === 'cjs') {
    adoptCjs(mod, version);
    return;
  }
  // Already loaded by the app: import() hands back the same module instance.
  importModule(pathToFileURL(mod.file).href).then(
    (ns) => {
      try {
        patchClientClass((ns as { Client?: unknown }).Client, mod.library, version);
      } catch (error) {
        internalError(error);
      }
    },
    () => undefined,
  );
}

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
      // eslint-disable-next-line prefer-rest-params
      const result = (request as (...a: unknown[]) => unknown).apply(this, arguments as unknown as unknown[]);
      try {
        onRequest(this, message, result, clientLibrary);
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
    const serverVersion = safeCall(client.getServerVersion, client) as { name?: unknown; version?: unknown } | undefined;
    const serverInfo =
      serverVersion && typeof serverVersion.name === 'string'
        ? { name: serverVersion.name.slice(0, 200), ...(typeof serverVersion.version === 'string' ? { version: serverVersion.version.slice(0, 80) } : {}) }
        : undefined;
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

function onRequest(client: ClientLike, message: unknown, result: unknown, clientLibrary: { name: string; version?: string }): void {
  const method = (message as { method?: unknown } | null)?.method;
  if (typeof method !== 'string' || method === 'initialize') return;
  let info = followed.get(client as object);
  if (!info) {
    const facts = transportFacts(client.transport ?? client._transport);
    if (!facts) return;
    sdkFollowedKeys.add(facts.key);
    announce(client, facts, clientLibrary, false);
    info = followed.get(client as object);
    if (!info) return;
  } else if (!info.announcedInfo) {
    const facts = transportFacts(client.transport ?? client._transport);
    if (facts) announce(client, facts, clientLibrary, false);
  }
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

/** Module names the core's require hook watches for the SDK layer (CJS builds of the client modules). */
export const MCP_CLIENT_MODULES = [
  '@modelcontextprotocol/sdk/client/index.js',
  '@modelcontextprotocol/sdk/client',
  '@modelcontextprotocol/sdk/client/stdio.js',
  '@modelcontextprotocol/sdk/client/streamableHttp.js',
  '@modelcontextprotocol/sdk/client/sse.js',
  '@modelcontextprotocol/sdk/client/websocket.js',
  '@modelcontextprotocol/sdk/dist/cjs/client/index.js',
  '@modelcontextprotocol/sdk/dist/cjs/client/stdio.js',
  '@modelcontextprotocol/sdk/dist/cjs/client/streamableHttp.js',
  '@modelcontextprotocol/sdk/dist/cjs/client/sse.js',
  '@modelcontextprotocol/sdk/dist/cjs/client/websocket.js',
  '@modelcontextprotocol/client',
  '@modelcontextprotocol/client/stdio',
];

const CLIENT_URL = /[\\/]node_modules[\\/](@modelcontextprotocol[\\/](sdk|client)|@ai-sdk[\\/]mcp)[\\/]dist[\\/]/;

let sdkHooksInstalled = false;
let resolveHookInstalled = false;

/**
 * For the core's require hook: a required client module and its exports.
 * Returns the exports unchanged.
 */
export function mcpModuleRequired(exports: unknown, name: string, basedir: string | undefined): unknown {
  try {
    // A client module resolved by the hook just before it handed over to the require wrapper.
    if (pendingCjs.size > 0) adoptLoadedCjs();
    const file = basedir ? fileForRequired(name, basedir) : undefined;
    if (file) onClientModule(file, exports);
  } catch (error) {
    internalError(error);
  }
  return exports;
}

/** For a resolve hook that is not ours: a resolved URL (cheap when it is not an MCP client module). */
export function mcpModuleResolved(url: string): void {
  try {
    if (pendingCjs.size > 0) adoptLoadedCjs();
    if (url.includes('/node_modules/@') && CLIENT_URL.test(url)) onClientModule(url);
  } catch (error) {
    internalError(error);
  }
}

/**
 * The SDK layer's module hooks are the core's (one resolve hook, one require hook per process):
 * they call mcpModuleResolved / mcpModuleRequired. This only records whether resolutions will come.
 */
export function installSdkHooks(): void {
  if (sdkHooksInstalled) return;
  sdkHooksInstalled = true;
  resolveHookInstalled = featuresOf().syncModuleHooks;
}

/** The module file a require-hook match stands for. */
function fileForRequired(name: string, basedir: string): string | undefined {
  if (name.startsWith('@modelcontextprotocol/sdk/')) {
    const rest = name.slice('@modelcontextprotocol/sdk/'.length).replace(/^dist\/cjs\//, '');
    const sub = rest === 'client' ? 'client/index.js' : rest;
    return `${basedir}/dist/cjs/${sub}`;
  }
  if (name === '@modelcontextprotocol/client') return `${basedir}/dist/index.cjs`;
  if (name === '@modelcontextprotocol/client/stdio') return `${basedir}/dist/stdio.cjs`;
  return undefined;
}
