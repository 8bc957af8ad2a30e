/**
 * Loads dist/agent.cjs with V8's code cache. Compiling the agent is most of what it costs a
 * process to start (about 1.5 ms of 5 on Node 24, measured): with the bytecode from an earlier
 * run, V8 skips parsing and compiling. The cache is this machine's own, in the user's cache
 * directory (`$XDG_CACHE_HOME/aim`, else `~/.cache/aim`), one file per installed agent file and
 * V8 version. The agent file's path, size and mtime are in the cache's name because V8 does not
 * check enough itself: it accepts a cache made from any source of the same length, and on Node 20
 * the frames of a cached script keep the file name of the run that made the cache (a second
 * install of aim on the machine would see its own calls as the app's).
 * Without a usable cache (no home, a read-only or `--permission` file system) the agent compiles
 * as any script does; `NODE_DISABLE_COMPILE_CACHE`, Node's own switch, turns the cache off.
 * A cache is code: it is used only from a directory and a file that are the user's own (owned by
 * this uid, writable by nobody else, no symlink; see src/platform/owned.ts). A cache dir someone
 * else can write (a shared XDG_CACHE_HOME, `HOME=/tmp`) is not read and not written.
 */
import type * as Fs from 'node:fs';
import type * as NodeModule from 'node:module';
import type * as Path from 'node:path';
import type * as Vm from 'node:vm';
// Past the platform door on purpose: the door would bring the whole platform into aim/register.
import { ensureOwnDir, ownDirProblem, readOwnFile, writeAtomically } from '../platform/owned.js';

// Builtins through process.getBuiltinModule, not `import`: in register.mjs an import of a builtin
// builds its ES-module facade, which cost 1.2 ms for these four on Node 24.
// Looked up when first needed, so that AIM_DISABLED loads nothing.
const builtin = <T>(id: string): T => process.getBuiltinModule(id) as T;
const fs = () => builtin<typeof Fs>('node:fs');
const path = () => builtin<typeof Path>('node:path');

export interface Agent {
  start(activation: string): void;
}

/**
 * dist/agent.cjs is one function expression (see src/register/agent-wrapper.ts), compiled here
 * with the cache when there is one, without it when there is none or it is off.
 */
export function loadAgent(directory: string, version: string): Agent {
  const { dirname, join } = path();
  const file = interned(join(directory, 'agent.cjs'));
  const requireAgent = agentRequire(file);
  const cacheFile = tryOrUndefined(() => codeCacheFile(file, version));
  const cachedData = cacheFile ? readCodeCache(cacheFile) : undefined;
  const vm = builtin<typeof Vm>('node:vm');
  const script = new vm.Script(fs().readFileSync(file, 'utf8'), { filename: file, cachedData });
  const module = { exports: {} as Agent };
  // `__aimImport`: the agent's import() runs from this module (see src/platform/import-module.ts).
  const importFromHere = (specifier: string): Promise<unknown> => import(specifier);
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, requireAgent, module, file, dirname(file), importFromHere);
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // At exit, so the functions the run compiled are in it too; once per install and V8 version.
    process.once('exit', () => writeCodeCache(cacheFile, file, script));
  }
  return module.exports;
}

/**
 * The agent's `require`. At load its bundle asks only for builtins: those come straight from
 * Node, without a module record and Node's CommonJS resolution for each (and without passing the
 * require hook aim installs later). The reporter file gets a real require, made when first needed.
 */
function agentRequire(file: string): (id: string) => unknown {
  let fileRequire: NodeJS.Require | undefined;
  return (id: string) => process.getBuiltinModule(id) ?? (fileRequire ??= builtin<typeof NodeModule>('node:module').createRequire(file))(id);
}

/** The largest cache read: the agent's is about 100 KB; anything far bigger is not ours. */
const MAX_CACHE_BYTES = 8 * 1024 * 1024;

/**
 * Undefined on the first run on this machine, when the cache cannot be read, or when it or its
 * directory is not the user's own (V8 would run any bytecode of the right length).
 */
const readCodeCache = (cacheFile: string): Buffer | undefined =>
  ownDirProblem(interned(path().dirname(cacheFile))) ? undefined : readOwnFile(cacheFile, MAX_CACHE_BYTES);

function tryOrUndefined<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** `agent-<version>-<path hash>-<size and mtime hash>-v8-<V8 version>-<arch>.cache` */
function codeCacheFile(file: string, version: string): string | undefined {
  const env = process.env;
  if (env.NODE_DISABLE_COMPILE_CACHE || process.platform === 'win32') return undefined;
  const base = env.XDG_CACHE_HOME || (env.HOME ? path().join(env.HOME, '.cache') : undefined);
  if (!base || !base.startsWith('/')) return undefined;
  const { size, mtimeMs } = fs().statSync(file);
  return interned(path().join(base, 'aim', `agent-${version}${installOf(file)}${fnv1a(`${size}:${mtimeMs}`)}${v8Suffix()}`));
}

/**
 * The same path as an internalized string. Node's fs functions share one `isURL(path)` check whose
 * property load V8 keeps polymorphic for 4 receiver maps; path.join returns a cons string, a map
 * the program's own calls may not use, and a 5th map makes that load megamorphic for every later
 * fs call in the process (+109 instructions per existsSync on Node 26). Property keys are internalized.
 */
const interned = (text: string): string => Object.keys({ [text]: 0 })[0]!;

/** `-<hash of the agent file's path>-`: the same install, whatever its build. */
const installOf = (file: string): string => `-${fnv1a(file)}-`;

const v8Suffix = (): string => `-v8-${process.versions.v8}-${process.arch}.cache`;

/** 32-bit FNV-1a as 8 hex digits: a name, not a secret; node:crypto would cost more than the cache saves. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** The caches of earlier builds at the same path, for the same V8: a rebuild or an upgrade in place. */
function removeOutdated(cacheFile: string, file: string): void {
  const { readdirSync, rmSync } = fs();
  const { basename, dirname, join } = path();
  const name = basename(cacheFile);
  for (const other of readdirSync(dirname(cacheFile))) {
    if (other !== name && other.startsWith('agent-') && other.includes(installOf(file)) && other.endsWith(v8Suffix())) {
      rmSync(join(dirname(cacheFile), other), { force: true });
    }
  }
}

function writeCodeCache(cacheFile: string, file: string, script: Vm.Script): void {
  try {
    if (ensureOwnDir(path().dirname(cacheFile))) return;
    writeAtomically(cacheFile, script.createCachedData());
    removeOutdated(cacheFile, file);
  } catch {
    // Read-only, full, denied or not ours: the next run compiles again, nothing else changes.
  }
}
