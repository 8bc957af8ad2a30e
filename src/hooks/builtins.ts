import { subscribe } from 'node:diagnostics_channel';
import { syncBuiltinESMExports } from 'node:module';
import { builtinRows, capabilityOfCall, possibleCapabilities, type BuiltinRow, type CapabilityId } from '../catalog/index.js';
import { observe } from '../observations/index.js';
import { callerOf } from './caller.js';
import { commandOf } from './command.js';
import { keepsRecording, observeFacts, observeLaterFacts } from './call-facts.js';
import { health, internalError } from './health.js';
import { isQuiet, pathOfFileUrl } from '../platform/index.js';
import { asNode, isLoaderRead, isLoaderResolve, keepsTellingLoaderReads, loaderResolveTracker, nodeAtWork, resolveForLoader } from './loader-activity.js';

/**
 * Builtins are patched in place once, the first time the app loads them (or at startup when they
 * are already loaded), then `syncBuiltinESMExports()` so ESM named imports see the same functions.
 * A wrapper records first uses; once the app has shown every capability the function can give,
 * the original is put back and the wrapper costs one flag check for whoever still holds it.
 */
type Exports = Record<string, unknown>;
type Patch = (exports: Exports) => void;

/**
 * A dependency's use counts, but is not the app's, and each counted call costs a stack capture
 * (about 8 µs): after this many, the wrapper retires. A logger or a server framework that stats
 * files all day long must not pay for being watched.
 */
const MAX_COUNTED_CALLS = 64;

const pending = new Map<string, Patch[]>();
const loaded = new Set<string>();
const getBuiltin = process.getBuiltinModule?.bind(process);

/** Runs `patch` once, when the app first loads the builtin `name` (before it gets the exports). */
export function whenBuiltinLoaded(name: string, patch: Patch): void {
  if (loaded.has(name)) {
    const exports = load(name);
    if (exports) applyPatches(exports, [patch]);
    return;
  }
  const list = pending.get(name) ?? [];
  list.push(patch);
  pending.set(name, list);
}

/** Called by the module hooks whenever a builtin is loaded; cheap after the first time. */
export function builtinLoaded(specifier: string): void {
  const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  if (loaded.has(name)) return;
  loaded.add(name);
  const patches = pending.get(name);
  if (patches) {
    pending.delete(name);
    const exports = load(name);
    if (exports) applyPatches(exports, patches);
  }
  // Builtins load each other without a public resolution (http loads net): catch those too.
  catchUpBuiltins();
}

/** Patches the watched builtins Node has loaded since we last looked (loaded out of our sight). */
export function catchUpBuiltins(): void {
  for (const name of pending.keys()) {
    if (isLoaded(name)) builtinLoaded(name);
  }
}

/**
 * A child process started through a child_process module loaded out of our sight (an ES module
 * imported it with no resolve hook registered): Node announces every new ChildProcess on a
 * diagnostics channel, so that first use still counts, and the module is patched for the next.
 */
export function watchChildProcesses(): void {
  subscribe('child_process', function onChildProcess() {
    if (loaded.has('child_process') || health.inert) return;
    try {
      const caller = callerOf(onChildProcess);
      if (caller) observe({ kind: 'api', module: 'child_process', api: 'child_process.spawn', caller, variant: 'system:exec' });
      catchUpBuiltins();
    } catch (error) {
      internalError(error);
    }
  });
}

/** Whether Node has loaded a builtin already (its internal load list; fs always is). */
export function isLoaded(name: string): boolean {
  const list = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList;
  return Array.isArray(list) ? list.includes(`NativeModule ${name}`) : name === 'fs';
}

let batching = 0;
let resyncPending = false;

/** Runs `fn` with one `syncBuiltinESMExports()` at the end instead of one per patched module. */
export function batchPatches(fn: () => void): void {
  batching++;
  try {
    fn();
  } finally {
    batching--;
    if (batching === 0 && resyncPending) resyncESM();
  }
}

/** The builtins with patches waiting: the module hooks watch exactly these. */
export function watchedBuiltins(): string[] {
  return [...pending.keys()];
}

function load(name: string): Exports | undefined {
  try {
    return getBuiltin?.(`node:${name}`) as Exports | undefined;
  } catch {
    return undefined;
  }
}

function applyPatches(exports: Exports, patches: Patch[]): void {
  for (const patch of patches) {
    try {
      patch(exports);
    } catch (error) {
      internalError(error);
    }
  }
  resyncESM();
}

function resyncESM(): void {
  if (batching > 0) {
    resyncPending = true;
    return;
  }
  resyncPending = false;
  try {
    syncBuiltinESMExports();
  } catch (error) {
    internalError(error);
  }
}

/** Registers the catalog's rows: one patch per builtin module. */
export function registerCatalogPatches(disabled: ReadonlySet<string> = new Set()): void {
  const byModule = new Map<string, BuiltinRow[]>();
  for (const row of builtinRows) {
    if (disabled.has(row.module)) continue;
    const rows = byModule.get(row.module);
    if (rows) rows.push(row);
    else byModule.set(row.module, [row]);
  }
  for (const [name, rows] of byModule) {
    whenBuiltinLoaded(name, (exports) => {
      for (const row of rows) patchRow(exports, row);
    });
  }
  if (!disabled.has('fs/promises')) whenBuiltinLoaded('fs', watchPromisesGetter);
}

/**
 * `fs.promises` is a lazy getter whose first use loads internal/fs/promises and readline (0.7 ms):
 * patch fs/promises when the app first asks for it, not before.
 */
function watchPromisesGetter(fs: Exports): void {
  const descriptor = Object.getOwnPropertyDescriptor(fs, 'promises');
  const get = descriptor?.get;
  if (!descriptor?.configurable || !get) return;
  Object.defineProperty(fs, 'promises', {
    ...descriptor,
    get(this: unknown) {
      const promises: unknown = Reflect.apply(get, this, []);
      try {
        builtinLoaded('fs/promises');
      } catch (error) {
        internalError(error);
      }
      return promises;
    },
  });
}

function patchRow(exports: Exports, row: BuiltinRow): void {
  let target: unknown = exports;
  const path = row.api.split('.');
  const key = path.pop()!;
  for (const part of path) target = (target as Exports | undefined)?.[part];
  if (target && typeof (target as Exports)[key] === 'function') wrapFunction(target as Exports, key, row);
}

/**
 * One patched function. Startup wraps about 60 functions (all of fs), most of which the app never
 * calls, so a site holds only what the wrapper needs; the rest is made on the first recorded call.
 * Each allocation here counts: a hello-world's first garbage collection is one the agent caused.
 */
interface Site {
  readonly target: Exports;
  readonly key: string;
  readonly row: BuiltinRow;
  readonly original: (...args: unknown[]) => unknown;
  wrapper?: (...args: unknown[]) => unknown;
  retired: boolean;
  counted: number;
  shownByApp?: Set<CapabilityId>;
  /** AIM_PATHS=all: done attributing, kept only for the paths and programs later calls name. */
  factsOnly?: boolean;
}

function wrapFunction(target: Exports, key: string, row: BuiltinRow): void {
  const original = target[key] as (...args: unknown[]) => unknown;
  const site: Site = { target, key, row, original, retired: false, counted: 0 };
  // `arguments`, not rest parameters: V8 forwards it without building an array, so a caller that
  // kept this wrapper pays one flag check after retirement. An original without a `prototype`
  // (the async functions of fs/promises) gets a method, which has none either.
  const wrapper = Object.hasOwn(original, 'prototype')
    ? function (this: unknown): unknown {
        return idle(site) ? Reflect.apply(original, this, arguments) : watchedCall(site, this, arguments);
      }
    : {
        wrapper(this: unknown): unknown {
          return idle(site) ? Reflect.apply(original, this, arguments) : watchedCall(site, this, arguments);
        },
      }.wrapper;
  site.wrapper = wrapper;
  copyOwnProperties(original, wrapper);
  target[key] = wrapper;
}

/** Whether a call goes straight through: retired, agent off, Node's own work, or aim's. */
function idle(site: Site): boolean {
  return site.retired || health.inert || nodeAtWork() || isQuiet();
}

function watchedCall(site: Site, self: unknown, args: IArguments): unknown {
  const { original, row } = site;
  if (isLoaderResolve(args)) return resolveForLoader(original, self, args);
  // Only fs functions can be a module loader reading what it resolved. A path the loader
  // resolved without reading it (require.resolve of a package's own binary, as esbuild does
  // before spawning it) is the program's to spawn: child_process never asks.
  const loaderMayCall = row.module === 'fs' || row.module === 'fs/promises';
  if (!loaderMayCall || !isLoaderRead(args)) {
    try {
      record(site, args);
    } catch (error) {
      internalError(error);
    }
  }
  return asNode(original, self, args);
}

function record(site: Site, args: ArrayLike<unknown>): void {
  const { row } = site;
  if (site.factsOnly) return observeLaterFacts(row, apiName(row), args, capabilityOfCall(row, args), site.wrapper!);
  const caller = callerOf(site.wrapper!);
  if (!caller) return; // Node loading modules, or aim itself: never use, never retires.
  const capability = capabilityOfCall(row, args);
  if (row.probe) {
    const path = pathOf(args[0]);
    observe({ kind: 'api', module: row.module, api: apiName(row), caller, variant: capability, probe: true, ...(path !== undefined && { details: { path } }) });
  } else {
    const command = row.module === 'child_process' ? commandOf(row.api, args) : undefined;
    observe({ kind: 'api', module: row.module, api: apiName(row), caller, variant: capability, ...(command && { command }) });
  }
  observeFacts(row, apiName(row), args, capability, caller);
  if (caller.who === 'app') (site.shownByApp ??= new Set()).add(capability);
  if (site.shownByApp?.size === possibleCapabilities(row).length || ++site.counted >= MAX_COUNTED_CALLS) {
    if (keepsRecording(row)) site.factsOnly = true;
    else retire(site);
  }
}

/** A path argument as the program gave it: a string, a Buffer, or a file: URL. */
function pathOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return pathOfFileUrl(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString();
  return undefined;
}

/** `fs.readFileSync`, `fs.promises.open`, `net.Server#listen`. */
function apiName(row: BuiltinRow): string {
  return `${row.module === 'fs/promises' ? 'fs.promises' : row.module}.${row.api.replace('.prototype.', '#')}`;
}

function retire(site: Site): void {
  site.retired = true;
  const { target, key, row, original } = site;
  // Put the original back only if nobody (graceful-fs, another agent) patched over us since.
  if (target[key] === site.wrapper) {
    target[key] = keepsTellingLoaderReads(row.module, row.api) ? withOwnProperties(original, loaderResolveTracker(original)) : original;
    resyncESM();
  }
}

/**
 * A wrapper carries the original's `name`, `length`, enumerable properties and symbols: `exec`,
 * `execFile` and `fs.exists` have `util.promisify.custom`, `fs.read` and `dns.lookup` Node's
 * internal promisify arguments; without them `promisify(exec)` changes shape. Not
 * `Reflect.ownKeys` and a descriptor per key: that cost 1 KB per wrapper (this is 0.4 KB), and
 * startup wraps 60 functions; the functions wrapped have no other own properties.
 */
export function copyOwnProperties(from: object, to: object): void {
  copyStandard(from, to, 'length');
  copyStandard(from, to, 'name');
  for (const key in from) {
    if (key !== 'prototype' && Object.hasOwn(from, key)) define(to, key, Object.getOwnPropertyDescriptor(from, key));
  }
  for (const key of Object.getOwnPropertySymbols(from)) define(to, key, Object.getOwnPropertyDescriptor(from, key));
  const prototype: unknown = Object.getPrototypeOf(from);
  if (Object.getPrototypeOf(to) !== prototype) Object.setPrototypeOf(to, prototype as object | null);
}

/** Reused: `name` and `length` have the same attributes on every function. */
const functionProperty: PropertyDescriptor = { value: undefined, writable: false, enumerable: false, configurable: true };

function copyStandard(from: object, to: object, key: 'length' | 'name'): void {
  if (!Object.hasOwn(from, key)) return;
  functionProperty.value = (from as Record<string, unknown>)[key];
  define(to, key, functionProperty);
  functionProperty.value = undefined;
}

function define(to: object, key: string | symbol, descriptor: PropertyDescriptor | undefined): void {
  try {
    if (descriptor) Object.defineProperty(to, key, descriptor);
  } catch {
    // Not configurable on the wrapper: the rest still carries over.
  }
}

/** `to`, carrying `from`'s own properties (see copyOwnProperties). */
function withOwnProperties<T extends object>(from: object, to: T): T {
  copyOwnProperties(from, to);
  return to;
}
