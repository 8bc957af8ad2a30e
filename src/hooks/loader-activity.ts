/**
 * Telling Node's own file access from the program's, without a stack. Node's module loaders
 * resolve every module with `fs.realpathSync(path, { [realpathCacheKey]: cache })` (an options
 * object no program writes) and then read it with the public `fs.readFileSync` (the CommonJS
 * loader by path, the ES module loader by URL); `fs.readFileSync` itself calls `fs.openSync`.
 * None of that is the program's use, and a stack per module would cost more than loading it.
 * Nothing of Node's is wrapped for this: error stacks stay as they were.
 */
import { decodedPath } from './caller.js';

let depth = 0;

/** Files a loader has just resolved and not read yet (each is read once, right after). */
const unread = new Set<string>();

/** True while a patched function's original runs: what it calls in turn is Node's own work. */
export function nodeAtWork(): boolean {
  return depth > 0;
}

/** Runs a builtin's original with the counter up, so what it calls in turn is not counted. */
export function asNode(original: Function, self: unknown, args: ArrayLike<unknown>): unknown {
  depth++;
  try {
    return Reflect.apply(original, self, args);
  } finally {
    depth--;
  }
}

/** The loaders' cache key, once seen: then a property read tells a loader's call, no array. */
let cacheKey: symbol | undefined;

/** A loader resolving a module: `realpathSync` with the loaders' symbol-keyed cache option. */
export function isLoaderResolve(args: ArrayLike<unknown>): boolean {
  const options = args[1];
  if (typeof options !== 'object' || options === null) return false;
  if (cacheKey !== undefined) return (options as Record<symbol, unknown>)[cacheKey] !== undefined;
  const [key] = Object.getOwnPropertySymbols(options);
  if (key === undefined) return false;
  if (key.description === 'realpathCacheKey') cacheKey = key;
  return true;
}

/**
 * `fs.realpathSync` is how the loaders' reads are told apart, so once its wrapper retires (the
 * program showed its one capability) this stays in its place: one options check per call. Without
 * it every module loaded later cost a stack capture in the `readFileSync` wrapper (about 15-30 µs,
 * measured on Node 24) until that one retired too.
 */
export function keepsTellingLoaderReads(module: string, api: string): boolean {
  return module === 'fs' && api === 'realpathSync';
}

export function loaderResolveTracker(original: Function): Function {
  return function trackLoaderResolves(this: unknown): unknown {
    if (!isLoaderResolve(arguments)) return Reflect.apply(original, this, arguments);
    return resolveForLoader(original, this, arguments);
  };
}

/**
 * Runs a loader's `realpathSync` and remembers the file it will read next. Not through asNode:
 * `realpathSync` calls only fs bindings, never a patched function, so there is nothing to hide, and
 * asNode's counter and try/finally were the agent's largest self time over a typical app (2.2 of
 * 7.3 ms in a 25 µs-sampled profile of typical.cjs on Node 22, about 900 resolutions).
 */
export function resolveForLoader(original: Function, self: unknown, args: ArrayLike<unknown>): unknown {
  const resolved = Reflect.apply(original, self, args);
  loaderResolved(resolved);
  return resolved;
}

/** Remembers what a loader resolved, so its read of that file is known for the loader's. */
function loaderResolved(realPath: unknown): void {
  if (typeof realPath === 'string') unread.add(realPath);
}

/** A loader reading the module it just resolved (once: a program reading it later is counted). */
export function isLoaderRead(args: ArrayLike<unknown>): boolean {
  if (unread.size === 0) return false;
  const first = args[0];
  if (typeof first === 'string') return unread.delete(first);
  if (first instanceof URL && first.protocol === 'file:') {
    return unread.delete(decodedPath(first.pathname));
  }
  return false;
}
