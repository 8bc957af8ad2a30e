import type { Features } from '../platform/index.js';
import type { HookMode } from '../inventory/index.js';
import { batchPatches, builtinLoaded, isLoaded, registerCatalogPatches, watchedBuiltins } from './builtins.js';
import { subscribeNetworkChannels } from './channels.js';
import { packageRows } from '../catalog/index.js';
import { coverGetBuiltinModule, installAsyncLoader, installRequireHook, installSyncResolveHook, scanRequireCache } from './modules.js';

export { whenBuiltinLoaded } from './builtins.js';
export { callerOf, packageOfPath } from './caller.js';
export { health } from './health.js';
export { scanRequireCache } from './modules.js';

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
}

export function installHooks(features: Features, options: HookOptions = {}): HookSetup {
  let setup: HookSetup | undefined;
  batchPatches(() => {
    setup = install(features, options);
  });
  return setup!;
}

/** Packages loaded after startup reach the CJS cache without a hook: look again later and at exit. */
function scanLater(): void {
  setTimeout(scanRequireCache, 1000).unref();
  process.on('exit', scanRequireCache);
}

function install(features: Features, options: HookOptions): HookSetup {
  registerCatalogPatches();
  coverGetBuiltinModule();
  subscribeNetworkChannels();
  for (const name of watchedBuiltins()) {
    if (isLoaded(name)) builtinLoaded(name);
  }
  if (features.syncModuleHooks) {
    installSyncResolveHook();
    scanRequireCache();
    return { hookMode: 'sync', visibility: 'full' };
  }
  // No synchronous hooks: an ES module's imports of builtins are invisible, so patch the few
  // that matter now; packages come from the require.cache scan and from calling frames.
  installRequireHook([...watchedBuiltins(), ...packageRows.filter((r) => !r.prefix).map((r) => r.name)]);
  for (const name of watchedBuiltins()) {
    if (EAGER_WITHOUT_SYNC_HOOKS.has(name)) builtinLoaded(name);
  }
  scanRequireCache();
  scanLater();
  if (options.asyncLoaderUrl && features.asyncModuleHooks && installAsyncLoader(options.asyncLoaderUrl)) {
    return { hookMode: 'async', visibility: 'full' };
  }
  return { hookMode: 'cjs-only', visibility: 'partial:esm-packages' };
}
export { redactArgs } from './mcp/redact.js';
export { installMcpHooks } from './mcp/index.js';
export { isBundled } from './bundle.js';
