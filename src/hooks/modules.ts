// Named, not `* as`: the bundle would copy every export of 'module' at startup (__toESM).
// require('module') is the Module class itself, statics and all.
import { Module as nodeModule } from 'node:module';
import { observe } from '../observations/index.js';
import { types } from 'node:util';
import { builtinLoaded, catchUpBuiltins, copyOwnProperties } from './builtins.js';
import { packageDirOf, packageOfPath } from './caller.js';
import { internalError } from './health.js';
import { MCP_CLIENT_MODULES, mcpModuleRequired, mcpModuleResolved } from './mcp/index.js';

/**
 * Which modules the program loads. With synchronous module hooks one pass-through resolve hook
 * sees both `require` and `import` and returns Node's answer unchanged. Without them, packages
 * come from a `require.cache` scan (which includes CJS imported from ESM) and builtins are
 * patched at startup.
 */
const seenUrls = new Set<string>();
const { isModuleNamespaceObject } = types;
const seenPackages = new Set<string>();

/** A resolved module: a builtin (`node:fs`), or a file that may belong to a package. */
export function moduleResolved(url: string): void {
  if (url.startsWith('node:')) return builtinLoaded(url);
  // The program's own files are most of what an ES-module app resolves: nothing to remember.
  if (!url.includes('/node_modules/') || seenUrls.has(url)) return;
  seenUrls.add(url);
  packageFile(url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url);
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
interface ResolveContext {
  parentURL?: string;
  conditions?: readonly string[];
}
type NextResolve = (specifier: string, context: ResolveContext) => ResolveResult;
type ResolveHook = (specifier: string, context: ResolveContext, next: NextResolve) => ResolveResult;
type RegisterHooks = (hooks: { resolve: ResolveHook }) => { deregister(): void };

/**
 * The pass-through resolve hook, for as long as it is worth its cost. Node runs every `require`
 * through the hook machinery while any hook is registered (about +15-25 µs a module, measured on
 * 22.23, 24 and 26, most of it Node's own URL conversions), whatever the hook does. A CommonJS
 * program needs none of it: the thin require wrapper sees what the catalog needs. So when the
 * program's main module turns out to run as CommonJS, the hook is deregistered and
 * `onCommonJsMain` installs the wrapper; an ES-module program keeps the hook.
 */
export function installSyncResolveHook(onCommonJsMain: () => void): void {
  const registerHooks = (nodeModule as unknown as { registerHooks: RegisterHooks }).registerHooks;
  let mainDecided = false;
  const hooks = registerHooks({
    resolve(specifier, context, nextResolve) {
      const result = nextResolve(specifier, context);
      try {
        if (!mainDecided) {
          const format = runningMainFormat(context);
          if (format) mainDecided = true;
          if (format === 'commonjs') {
            hooks.deregister();
            onCommonJsMain();
          }
        }
        mcpModuleResolved(result.url);
        moduleResolved(result.url);
      } catch (error) {
        internalError(error);
      }
      return result;
    },
  });
}

/**
 * How the main module runs, known at its first dependency: Node sets `process.mainModule` only
 * for a main it loads as CommonJS (or tries to: a typeless .js with ES syntax is retried as ESM),
 * and a require from the running main resolves with the `require` condition, an import without.
 * Undefined before the main runs (preloads) and for an ES-module main.
 */
function runningMainFormat(context: ResolveContext): 'commonjs' | 'module' | undefined {
  const main = (process as { mainModule?: { loaded?: boolean } }).mainModule;
  if (!main || main.loaded || !context.parentURL) return undefined;
  return context.conditions?.includes('require') ? 'commonjs' : 'module';
}

/** Packages already in the CJS cache: loaded before us, or on Node without sync hooks. */
export function scanRequireCache(): void {
  // aim requires nothing from node_modules (zod is bundled), so every package here is the app's.
  const cache = (nodeModule as unknown as { _cache?: Record<string, unknown> })._cache;
  if (!cache) return;
  for (const file of Object.keys(cache)) {
    if (file.includes('/node_modules/')) packageFile(file);
  }
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
export function installRequireHook(names: string[]): void {
  const Module = nodeModule as unknown as RequireTarget | undefined;
  const original = Module?.prototype.require;
  if (!Module || typeof original !== 'function') return;
  const watched = new Set([...names, ...MCP_CLIENT_MODULES]);
  const mcpModules = new Set(MCP_CLIENT_MODULES);
  const wrapper = function (this: unknown, id: unknown): unknown {
    const exports: unknown = Reflect.apply(original, this, arguments);
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
