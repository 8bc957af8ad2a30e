/**
 * The agent, built to dist/agent.cjs: one copy per process, whether it came in through
 * `--import` or `--require`. register.ts has already checked the kill switch, the singleton and
 * the thread; this wires the stages together: hooks → observations → inference → inventory → sinks.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installHooks, installMcpHooks, isBundled, loadingOwnCode, scanRequireCache } from '../hooks/index.js';

import { infer, useMcpInference } from '../inference/index.js';
import { Inventory } from '../inventory/index.js';
import { setObserver } from '../observations/index.js';
import { featuresOf, isOn, packageVersion, warn } from '../platform/index.js';
import { startSinks } from '../report/index.js';
// names.js, not the config door: the door brings zod, which loads only with the reporter.
import { checkVariables } from '../config/names.js';
import { scanConfigFiles, type StartPlace } from './mcp-config-files.js';
import { processInfo } from './process-info.js';
import { agentRecord, type Activation } from './record.js';
import { logStartup } from './startup-log.js';
import { disabledHooks, warnIfKillSwitchIsNotBoolean } from './startup-settings.js';
import { version } from './version.js';
import { joinWorkers, onWorkerThread, startInWorker } from './workers.js';

export function start(activation: Activation): void {
  if (onWorkerThread()) return startInWorker();
  const started = process.hrtime.bigint();
  const info = processInfo();
  const startPlace: StartPlace = { directory: info.cwd, entry: process.argv[1] };
  const inventory = new Inventory(
    info,
    { version, hookMode: 'cjs-only', visibility: 'full', preloadMs: 0, internalErrors: 0 },
    packageVersion,
    () => lookAgain(inventory, startPlace),
  );
  setObserver((observation) => infer(observation, inventory));
  joinWorkers();
  const disabled = disabledHooks();
  if (!disabled.includes('mcp')) installMcpHooks(() => mcpLayer());
  const setup = installHooks(featuresOf(), { asyncLoaderUrl: asyncLoaderUrl(), disabled, everyCall: process.env.AIM_PATHS?.trim() === 'all' });
  const preloadMs = Math.round((Number(process.hrtime.bigint() - started) / 1e6) * 100) / 100;
  inventory.updateAgent({ ...setup, preloadMs });
  Object.assign(agentRecord(), { inventory, activation });
  warnIfKillSwitchIsNotBoolean();
  checkVariables(process.env);
  logStartup({ version, activation, setup, preloadMs, launcher: info.launcher, disabledHooks: disabled });
  const output = process.env.AIM_OUTPUT?.trim();
  // The API key, or (signed generation) an agent's own id and private key.
  const reportToAim = Boolean(process.env.AIM_API_KEY?.trim() || (process.env.AIM_AGENT_ID?.trim() && process.env.AIM_PRIVATE_KEY?.trim()));
  // First among exit listeners, and only when a sink will read the inventory then: the file sink
  // writes at exit only if the inventory changed, so packages loaded late must be in it before.
  if (output || reportToAim) process.prependListener('exit', scanRequireCache);
  const allowList = process.env.AIM_ALLOWLIST?.trim();
  startSinks(inventory, { output, reportToAim, ...(allowList ? { allowList } : {}), loadReporter: once(() => loadReporter(inventory)) });
}

/** Before each read of the inventory: packages loaded out of the hooks' sight, and the first look. */
function lookAgain(inventory: Inventory, start: StartPlace): void {
  scanRequireCache();
  firstLook(inventory, start);
}

let looked = false;

/**
 * Once per process, when the inventory is first read: the MCP config files, and whether the entry
 * file is a bundle (a 4 KiB read every process paid at startup, 0.17 ms, read or not).
 */
function firstLook(inventory: Inventory, start: StartPlace): void {
  if (looked) return;
  looked = true;
  scanConfigFiles(start, () => mcpLayer()?.serversInConfig);
  if (isBundled(start.entry)) inventory.updateAgent({ visibility: 'partial:bundled' });
}

/** AIM_ESM_LOADER=1: the async loader, opt-in because it costs about +120 ms where it is needed. */
function asyncLoaderUrl(): string | undefined {
  if (!isOn(process.env.AIM_ESM_LOADER)) return undefined;
  return pathToFileURL(join(__dirname, 'esm-loader.mjs')).href;
}

/** The MCP layer's bundle, compiled the first time MCP shows up (src/register/mcp-layer.ts). */
const mcpLayer = once((): typeof import('./mcp-layer.js') | undefined => {
  try {
    // Maybe from inside the resolve hook: its require()s are ours, not the app's first.
    const layer = loadingOwnCode(() => require(join(__dirname, 'mcp.cjs')) as typeof import('./mcp-layer.js'));
    useMcpInference(layer.inferMcp);
    return layer;
  } catch {
    warn('AIM-H003', 'the MCP layer could not be loaded; MCP servers are not discovered in this process.');
    return undefined;
  }
});

function loadReporter(inventory: Inventory): ReturnType<typeof import('../report/lazy.js').startReporting> {
  try {
    const reporter = require(join(__dirname, 'reporter.cjs')) as typeof import('../report/lazy.js');
    return reporter.startReporting(inventory);
  } catch {
    warn('AIM-R000', 'the AIM reporter could not be loaded; reporting is off for this process.');
    return undefined;
  }
}

/** Runs `fn` the first time; later calls get the same result. */
function once<T>(fn: () => T): () => T {
  let done = false;
  let result: T;
  return () => {
    if (!done) {
      done = true;
      result = fn();
    }
    return result;
  };
}
