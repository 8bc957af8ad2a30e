/**
 * Loads dist/agent.cjs with V8's code cache. Compiling the agent is most of what it costs a
 * process to start (about 1.5 ms of 5 on Node 24, measured): with the bytecode from an earlier
 * run, V8 skips parsing and compiling. The cache is this machine's own, in the user's cache
 * directory (`$XDG_CACHE_HOME/aim`, else `~/.cache/aim`), one file per agent version and
 * V8 version; V8 checks the source and its flags itself and rejects a cache that does not fit.
 * Anything unexpected (no home, a read-only or `--permission` file system, an old Node) falls
 * back to a plain require; `NODE_DISABLE_COMPILE_CACHE`, Node's own switch, turns it off.
 */
import type * as Fs from 'node:fs';
import type * as NodeModule from 'node:module';
import type * as Path from 'node:path';
import type * as Url from 'node:url';
import type * as Vm from 'node:vm';

// Builtins through process.getBuiltinModule, not `import`: in register.mjs an import of a builtin
// builds its ES-module facade, which cost 1.2 ms for these four on Node 24.
// Looked up when first needed, so that AIM_DISABLED loads nothing.
const builtin = <T>(id: string): T => process.getBuiltinModule(id) as T;
const fs = () => builtin<typeof Fs>('node:fs');
const path = () => builtin<typeof Path>('node:path');

export interface Agent {
  start(activation: string): void;
}

export function loadAgent(registerUrl: string, version: string): Agent {
  const { dirname, join } = path();
  const { fileURLToPath } = builtin<typeof Url>('node:url');
  const file = join(dirname(fileURLToPath(registerUrl)), 'agent.cjs');
  const requireAgent = builtin<typeof NodeModule>('node:module').createRequire(file);
  const cacheFile = codeCacheFile(version);
  if (!cacheFile) return requireAgent(file) as Agent;
  try {
    return fromCodeCache(file, cacheFile, requireAgent);
  } catch {
    return requireAgent(file) as Agent;
  }
}

function codeCacheFile(version: string): string | undefined {
  const env = process.env;
  if (env.NODE_DISABLE_COMPILE_CACHE || process.platform === 'win32') return undefined;
  const base = env.XDG_CACHE_HOME || (env.HOME ? path().join(env.HOME, '.cache') : undefined);
  if (!base || !base.startsWith('/')) return undefined;
  return path().join(base, 'aim', `agent-${version}-v8-${process.versions.v8}-${process.arch}.cache`);
}

function fromCodeCache(file: string, cacheFile: string, requireAgent: NodeJS.Require): Agent {
  const vm = builtin<typeof Vm>('node:vm');
  const { readFileSync } = fs();
  const { dirname } = path();
  // Dynamic import() inside the agent (an ES-module MCP client) needs Node's loader: Node 20.x has it.
  const importModuleDynamically = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (!importModuleDynamically) return requireAgent(file) as Agent;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // First run on this machine, or not readable: compile, and leave a cache for the next run.
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData, importModuleDynamically });
  const module = { exports: {} as Agent };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, requireAgent, module, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    // At exit, so the functions the run compiled are in it too; once per machine and version.
    process.once('exit', () => writeCodeCache(cacheFile, script));
  }
  return module.exports;
}

function writeCodeCache(cacheFile: string, script: Vm.Script): void {
  try {
    const { mkdirSync, renameSync, writeFileSync } = fs();
    const { dirname } = path();
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    renameSync(temporary, cacheFile);
  } catch {
    // Read-only, full or denied: the next run compiles again, nothing else changes.
  }
}
