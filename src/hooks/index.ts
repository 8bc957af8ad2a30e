import type { Features } from '../platform/index.js';
import type { HookMode } from '../observations/index.js';
import { batchPatches, builtinLoaded, catchUpBuiltins, registerCatalogPatches, watchChildProcesses, watchedBuiltins } from './builtins.js';
import { subscribeNetworkChannels } from './channels.js';
import { disabledHookParts, packageRows, type HookFamilyName } from '../catalog/index.js';
import { startedBeforeTheProgram } from './caller.js';
import { recordEveryCall, watchWorkers } from './call-facts.js';
import { coverGetBuiltinModule, installAsyncLoader, installRequireHook, installSyncResolveHook, scanRequireCache } from './modules.js';

export { whenBuiltinLoaded } from './builtins.js';
export { callerOf, packageOfPath } from './caller.js';
export { health } from './health.js';
export { loadingOwnCode, scanRequireCache } from './modules.js';

export interface HookSetup {
  hookMode: HookMode;
  visibility: string;
}

/** Builtins worth loading ourselves where no hook can tell us the app loaded them (cheap, ~5 ms). */
const EAGER_WITHOUT_SYNC_HOOKS = new Set(['child_process', 'net', 'fs/promises']);

/**
 * Installs every hook, synchronously, before the app's first line. Returns how much it can see.
 * Extra hooks (MCP discovery) register through `whenBuiltinLoaded` before this runs.
 */
export interface HookOptions {
  /** file: URL of dist/esm-loader.mjs, when the user opted in to the async loader. */
  asyncLoaderUrl?: string;
  /** AIM_DISABLED_HOOKS: the families left alone (catalog/hook-families.ts). */
  disabled?: readonly HookFamilyName[];
  /** AIM_PATHS=all: every path and program the program names, not only its first uses'. */
  everyCall?: boolean;
}

export function installHooks(features: Features, options: HookOptions = {}): HookSetup {
  let setup: HookSetup | undefined;
  batchPatches(() => {
    setup = install(features, options);
  });
  // After the install: the opt-in async loader's own thread is no worker of the program's.
  watchWorkers();
  return setup!;
}

/**
 * What no hook saw: packages that `require` loaded without a catalog name (and, without sync
 * hooks, CommonJS packages that ES modules import) reach the CJS cache; builtins that unseen ES
 * modules import are patched when next looked for. Look again a second in; the inventory also
 * scans before each snapshot (see agent.ts).
 */
function lookAgainLater(): void {
  setTimeout(() => {
    scanRequireCache();
    catchUpBuiltins();
  }, 1000).unref();
}

/**
 * The thin require wrapper on the catalog's names. With sync hooks it also takes the resolve hook
 * away at each `require` (see installSyncResolveHook); packages it does not watch come from the
 * `require.cache` scans.
 */
function watchRequires(beforeRequire?: () => void): void {
  installRequireHook([...watchedBuiltins(), ...packageRows.filter((r) => !r.prefix).map((r) => r.name)], beforeRequire);
  lookAgainLater();
}

function install(features: Features, options: HookOptions): HookSetup {
  if (options.everyCall) recordEveryCall();
  const off = disabledHookParts(options.disabled ?? []);
  registerCatalogPatches(off.builtins);
  coverGetBuiltinModule();
  subscribeNetworkChannels(off.channels);
  if (!off.channels.has('child_process')) watchChildProcesses();
  // Node loads fs (and often net) for itself before the program runs. Where the hooks see every
  // require, import and getBuiltinModule, those are patched when the program first asks for them:
  // about 60 wrappers, 1 ms, that a program which never touches fs does not pay. Program code that
  // ran before us may hold them already: then, and without sync hooks, patch what is loaded now.
  if (!features.syncModuleHooks || !startedBeforeTheProgram()) catchUpBuiltins();
  if (features.syncModuleHooks) {
    watchRequires(installSyncResolveHook());
    scanRequireCache();
    return { hookMode: 'sync', visibility: 'full' };
  }
  // No synchronous hooks: an ES module's imports of builtins are invisible, so patch the few
  // that matter now; packages come from the require.cache scan and from calling frames.
  watchRequires();
  for (const name of watchedBuiltins()) {
    if (EAGER_WITHOUT_SYNC_HOOKS.has(name)) builtinLoaded(name);
  }
  scanRequireCache();
  if (options.asyncLoaderUrl && features.asyncModuleHooks && installAsyncLoader(options.asyncLoaderUrl)) {
    return { hookMode: 'async', visibility: 'full' };
  }
  return { hookMode: 'cjs-only', visibility: 'partial:esm-packages' };
}
export { installMcpHooks, type LoadMcpLayer } from './mcp/index.js';
export { internalError } from './health.js';
