// Named, not `* as`: the bundle would copy every export of 'module' at startup (__toESM).
// require('module') is the Module class itself, statics and all.
import { Module as nodeModule } from 'node:module';
import { subscribe } from 'node:diagnostics_channel';
import { observe } from '../observations/index.js';
import { OWN_PACKAGE_NAME } from '../platform/index.js';
import { types } from 'node:util';
import { builtinLoaded, catchUpBuiltins, copyOwnProperties, isLoaded } from './builtins.js';
import { observeFeature, observeModuleFile } from './call-facts.js';
import { decodedPath, packageDirOf, packageOfPath } from './caller.js';
import { health, internalError } from './health.js';
import { MCP_CLIENT_MODULES, mcpModuleRequired, mcpModuleResolved } from './mcp/index.js';

/**
 * Which modules the program loads. With synchronous module hooks a pass-through resolve hook sees
 * the ES-module graphs and returns Node's answer unchanged; a thin require wrapper sees `require`.
 * Without them, packages come from `require.cache` scans (which include CJS imported from ESM)
 * and builtins are patched at startup.
 */
const seenUrls = new Set<string>();
const { isModuleNamespaceObject } = types;
// aim's own files (register.cjs in require.cache, `import 'aim'` for the API) are the observer's, not
// one of the program's packages.
const seenPackages = new Set<string>([OWN_PACKAGE_NAME]);

/** A resolved module: a builtin (`node:fs`), or a file that may belong to a package. */
export function moduleResolved(url: string): void {
  if (url.startsWith('node:')) return builtinLoaded(url);
  // The program's own files are most of what an ES-module app resolves: nothing to remember
  // (unless AIM_PATHS=all asks for the files Node reads to load the program).
  if (!url.includes('/node_modules/')) return url.startsWith('file://') ? observeModuleFile(decodedPath(url.slice(7))) : undefined;
  if (seenUrls.has(url)) return;
  seenUrls.add(url);
  packageFile(url.startsWith('file://') ? decodedPath(url.slice(7)) : url);
}

function packageFile(path: string): void {
  const name = packageOfPath(path);
  if (!name || seenPackages.has(name)) return;
  seenPackages.add(name);
  observe({ kind: 'package', name, dir: packageDirOf(path, name) ?? path });
}

/** `module.registerHooks` (Node 22.15+/23.5+), typed here because @types/node 20 predates it. */
interface ResolveResult {
  url: string;
}
type NextResolve = (specifier: string, context: unknown) => ResolveResult;
type ResolveHook = (specifier: string, context: unknown, next: NextResolve) => ResolveResult;
type RegisterHooks = (hooks: { resolve: ResolveHook }) => { deregister(): void };

/**
 * The pass-through resolve hook, registered while ES modules are being resolved and no longer.
 * While any hook is registered Node sends every `require` through its hook machinery (about
 * +18 µs a module on 22.23, 24 and 26, whatever the hook does), and a `require` needs none of
 * it: the thin require wrapper sees what the catalog needs. So the first `require` a running
 * module makes (a CommonJS main's first, or the first CommonJS package an ES-module graph
 * evaluates) deregisters the hook; an ES-module graph is resolved and linked before any of it
 * runs, so the hook has seen all of it by then. Every `import()` (Node's `module.import`
 * tracing channel, which fires before the import resolves) registers the hook again for the
 * graph it loads.
 * Returns what the require wrapper calls before each `require`.
 */
export function installSyncResolveHook(): () => void {
  const registerHooks = (nodeModule as unknown as { registerHooks: RegisterHooks }).registerHooks;
  let registration: { deregister(): void } | undefined;
  const resolve: ResolveHook = (specifier, context, nextResolve) => {
    const result = nextResolve(specifier, context);
    try {
      mcpModuleResolved(result.url);
      moduleResolved(result.url);
    } catch (error) {
      internalError(error);
    }
    return result;
  };
  const register = (): void => {
    registration ??= registerHooks({ resolve });
  };
  register();
  subscribe('tracing:module.import:start', () => {
    try {
      if (!health.inert) register();
    } catch (error) {
      internalError(error);
    }
  });
  return () => {
    if (!registration || loadingOwn) return;
    registration.deregister();
    registration = undefined;
  };
}

let loadingOwn = false;

/**
 * Runs `load` (the agent loading a bundle of its own, maybe from inside the resolve hook) so that
 * its require()s are not taken for the app's first one, which ends the resolve hook.
 */
export function loadingOwnCode<T>(load: () => T): T {
  const outer = loadingOwn;
  loadingOwn = true;
  try {
    return load();
  } finally {
    loadingOwn = outer;
  }
}

/** Packages already in the CJS cache: loaded before us, or on Node without sync hooks. */
export function scanRequireCache(): void {
  // aim requires nothing from node_modules (zod is bundled), so every package here is the app's.
  const cache = (nodeModule as unknown as { _cache?: Record<string, unknown> })._cache;
  if (!cache) return;
  for (const file of Object.keys(cache)) {
    if (file.includes('/node_modules/')) packageFile(file);
    observeModuleFile(file);
  }
  // WASI has no channel and no catalogued call: its builtin loaded is the sign (Node never loads it itself).
  if (isLoaded('wasi')) observeFeature('wasi');
}

/** `process.getBuiltinModule('node:child_process')` must patch like `require` and `import` do. */
export function coverGetBuiltinModule(): void {
  const original = process.getBuiltinModule;
  if (typeof original !== 'function') return;
  const wrapper = function (this: unknown, id: string): unknown {
    const exports = Reflect.apply(original, this, [id]);
    try {
      if (exports !== undefined && typeof id === 'string') builtinLoaded(id);
    } catch (error) {
      internalError(error);
    }
    return exports;
  };
  copyOwnProperties(original, wrapper);
  process.getBuiltinModule = wrapper as typeof process.getBuiltinModule;
}

/**
 * Without synchronous hooks, CommonJS `require` of the catalog's packages, the MCP client modules
 * and the watched builtins is seen by a thin `Module.prototype.require` wrapper: a Set lookup on
 * the specifier, and a resolution only for the few that match. require-in-the-middle resolves
 * every `require` a second time, which made a typical CommonJS app ×1.37 slower on Node 20
 * (×1.08 without it); for observing, a lookup is enough.
 */
export function installRequireHook(names: string[], beforeRequire?: () => void): void {
  const Module = nodeModule as unknown as RequireTarget | undefined;
  const original = Module?.prototype.require;
  if (!Module || typeof original !== 'function') return;
  const watched = new Set([...names, ...MCP_CLIENT_MODULES]);
  const mcpModules = new Set(MCP_CLIENT_MODULES);
  const wrapper = function (this: unknown, id: unknown): unknown {
    if (beforeRequire) {
      try {
        beforeRequire();
      } catch (error) {
        internalError(error);
      }
    }
    // `require` takes one argument: passing it on names no `arguments` object, which V8 would
    // build on every call before the wrapper is optimized (about 60 bytes a require).
    const exports: unknown = original.call(this, id);
    // require(esm): the ES module graph behind it imported builtins no hook saw.
    if (isModuleNamespaceObject(exports)) catchUpBuiltins();
    if (typeof id !== 'string' || !watched.has(id.startsWith('node:') ? id.slice(5) : id)) return exports;
    try {
      return required(Module, this, id, exports, mcpModules);
    } catch (error) {
      internalError(error);
      return exports;
    }
  };
  copyOwnProperties(original, wrapper);
  Module.prototype.require = wrapper;
}

interface RequireTarget {
  prototype: { require: (...args: unknown[]) => unknown };
  _resolveFilename?: (request: string, parent: unknown) => string;
  isBuiltin?: (id: string) => boolean;
}

function required(Module: RequireTarget, parent: unknown, id: string, exports: unknown, mcpModules: Set<string>): unknown {
  if (Module.isBuiltin?.(id)) {
    builtinLoaded(id);
    return exports;
  }
  const file = Module._resolveFilename?.(id, parent);
  if (!file) return exports;
  const path = file.replace(/\\/g, '/');
  const name = packageOfPath(path);
  const basedir = name ? packageDirOf(path, name) : undefined;
  if (mcpModules.has(id)) return mcpModuleRequired(exports, id, basedir);
  packageFile(path);
  return exports;
}

/**
 * The async loader thread, opt-in (about +120 ms on Node 20): its resolutions come back over an
 * unref'd port, so ES-module packages are seen too.
 */
export function installAsyncLoader(loaderUrl: string): boolean {
  const register = (nodeModule as unknown as { register?: (url: string, options: object) => void }).register;
  if (typeof register !== 'function') return false;
  const { MessageChannel } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (url: unknown) => {
    try {
      if (typeof url === 'string') moduleResolved(url);
    } catch (error) {
      internalError(error);
    }
  });
  port1.unref();
  register(loaderUrl, { data: { port: port2 }, transferList: [port2] });
  return true;
}
