/**
 * The SDK layer, finding and adopting: which loaded module is an MCP client library's (from the
 * catalog's table, catalog/mcp-clients.ts), recorded as `sdk-import` evidence, and the module
 * that exports the `Client` class handed to client-patch.ts.
 *
 * How it finds the modules, cheapest first:
 * - Node with synchronous module hooks: the core's one pass-through `resolve` hook (sees require
 *   and import) compares the resolved URL with the client modules; ESM namespaces are then taken
 *   with import() of the already-loaded URL.
 * - elsewhere, CommonJS: the core's require hook, restricted to the client modules' names.
 * - any Node: the stack of a spawn or stdin write by a client (wire layer), and `require.cache`.
 * No async loader thread is ever registered here.
 */
import { Module, createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { isMcpClientFile, mcpClientFiles, type McpClientFile, type McpClientFlavor } from '../../catalog/index.js';
import type { McpTransport } from '../../observations/index.js';
import { importModule } from '../../platform/index.js';
import { emitServer, internalError, packageVersion } from './emit.js';
import { patchClientClass } from './client-patch.js';

interface ClientModule {
  library: string;
  /** The package's directory. */
  dir: string;
  /** The module file (absolute path). */
  file: string;
  flavor: McpClientFlavor;
  /** The transport this module implements, when it is a transport module. */
  transport?: McpTransport;
  /** True for the module that exports the `Client` class. */
  client: boolean;
}

/** The catalog's rows by `<package>/<file>` (the first row of a path wins), and by require name. */
const rowByPath = new Map<string, McpClientFile>();
const rowByRequireName = new Map<string, McpClientFile>();
for (const row of mcpClientFiles) {
  if (!rowByPath.has(`${row.package}/${row.file}`)) rowByPath.set(`${row.package}/${row.file}`, row);
  for (const name of row.requireNames ?? []) rowByRequireName.set(name, row);
}
const libraries = [...new Set(mcpClientFiles.map((row) => row.package))];

/** The client library a file belongs to: its name, its directory, the file's path inside it. */
function locate(file: string): { library: string; dir: string; inside: string } | undefined {
  const path = file.replace(/\\/g, '/');
  for (const library of libraries) {
    const marker = `/node_modules/${library}/`;
    const at = path.lastIndexOf(marker);
    if (at >= 0) return { library, dir: file.slice(0, at + marker.length - 1), inside: path.slice(at + marker.length) };
  }
  return undefined;
}

/** Which MCP client module a file is, if any. */
export function classifyModule(fileOrUrl: string): ClientModule | undefined {
  let file = fileOrUrl;
  if (file.startsWith('file:')) {
    file = safeFileURLToPath(file.replace(/[?#].*$/, '')) ?? '';
    if (!file) return undefined;
  }
  const found = locate(file);
  const row = found && rowByPath.get(`${found.library}/${found.inside}`);
  if (!found || !row) return undefined;
  return { library: found.library, dir: found.dir, file, flavor: row.flavor, client: row.role === 'client', ...(row.transport ? { transport: row.transport } : {}) };
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
    soon(() => adoptFile(mod));
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

/** Runs `fn` after the current turn, on a timer that never holds the process open. */
function soon(fn: () => void): void {
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
      if (!file.includes('node_modules')) continue;
      const mod = classifyModule(file);
      if (mod?.client) adoptFile(mod);
    }
  }
  if (adopted.size === 0 && !resolveHookInstalled) adoptByResolution();
}

let resolvedOnce = false;

/** The ESM client modules the app's entry would import (those with a CommonJS twin to resolve), adopted once. */
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
  for (const cjs of mcpClientFiles) {
    const esmRow = cjs.role === 'client' && cjs.flavor === 'cjs' ? mcpClientFiles.find((r) => r.package === cjs.package && r.role === 'client' && r.flavor === 'esm') : undefined;
    const specifier = cjs.requireNames?.[0];
    if (!esmRow || !specifier) continue;
    try {
      const found = locate(appRequire.resolve(specifier));
      const esm = found && classifyModule(`${found.dir}/${esmRow.file}`);
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

/** From any file of a client package, the module of the same flavor that exports its Client class. */
function clientFileNear(file: string): ClientModule | undefined {
  const found = locate(file);
  const flavor = found && flavorOfPath(found.inside);
  const row = flavor && mcpClientFiles.find((r) => r.package === found.library && r.role === 'client' && r.flavor === flavor);
  return row ? classifyModule(`${found.dir}/${row.file}`) : undefined;
}

/** A file's module flavor from its path: a `cjs/` or `esm/` folder, or a `.cjs` or `.mjs` name. */
function flavorOfPath(inside: string): McpClientFlavor | undefined {
  if (/(^|\/)cjs\//.test(inside) || inside.endsWith('.cjs')) return 'cjs';
  if (/(^|\/)esm\//.test(inside) || inside.endsWith('.mjs')) return 'esm';
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
    if (isMcpClientFile(url)) onClientModule(url);
  } catch (error) {
    internalError(error);
  }
}

/**
 * The SDK layer's module hooks are the core's (one resolve hook, one require hook per process):
 * they call mcpModuleResolved / mcpModuleRequired. This only notes whether this Node's resolve
 * hook will report ES modules (else they are looked for from the app's entry).
 */
export function expectResolutions(syncResolveHook: boolean): void {
  resolveHookInstalled = syncResolveHook;
}

/** The module file a require-hook match stands for. */
function fileForRequired(name: string, basedir: string): string | undefined {
  const row = rowByRequireName.get(name);
  return row ? `${basedir}/${row.file}` : undefined;
}
