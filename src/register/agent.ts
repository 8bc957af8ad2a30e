/**
 * The agent, built to dist/agent.cjs: one copy per process, whether it came in through
 * `--import` or `--require`. register.ts has already checked the kill switch, the singleton and
 * the thread; this wires the stages together: hooks → observations → inference → inventory → sinks.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { health, installHooks, installMcpHooks, internalError, loadingOwnCode, scanRequireCache } from '../hooks/index.js';
import type { AgentInfo } from '../inventory/index.js';
import { setObserver, type Observation } from '../observations/index.js';
import { featuresOf, isOn, logs, safeCwd, warn } from '../platform/index.js';
// names.js, not the config door: the door brings zod, which loads only with the reporter.
import { checkVariables } from '../config/names.js';
import type { Core, CoreHost } from './core.js';
import type { StartPlace } from './mcp-config-files.js';
import { agentRecord, type Activation } from './record.js';
import { disabledHooks, warnIfKillSwitchIsNotBoolean } from './startup-settings.js';
import { version } from './version.js';
import { joinWorkers, onWorkerThread, startInWorker } from './workers.js';

/** Observations waiting for the inventory's bundle; past this many it loads, so the wait is bounded. */
const MAX_WAITING = 2000;

export function start(activation: Activation): void {
  if (onWorkerThread()) return startInWorker();
  const started = process.hrtime.bigint();
  const startedAs = { argv: process.argv.slice(), cwd: safeCwd() };
  const start: StartPlace = { directory: startedAs.cwd, entry: startedAs.argv[1] };
  // Until the inventory's bundle loads, observations wait in order, each with its time.
  const waiting: [Observation, number][] = [];
  let host: CoreHost | undefined;
  setObserver((observation) => {
    waiting.push([observation, Date.now()]);
    if (host && waiting.length >= MAX_WAITING) core();
  });
  const core = once((): Core | undefined => {
    const loaded = host && loadCore(host, waiting.splice(0));
    setObserver(loaded ? (observation) => loaded.take(observation, Date.now()) : undefined);
    // Those that came while it loaded (its first look at the config files and require.cache).
    for (const [observation, at] of waiting.splice(0)) loaded?.take(observation, at);
    return loaded;
  });
  joinWorkers();
  const disabled = disabledHooks();
  if (!disabled.includes('mcp')) installMcpHooks(() => mcpLayer());
  const setup = installHooks(featuresOf(), { asyncLoaderUrl: asyncLoaderUrl(), disabled, everyCall: process.env.AIM_PATHS?.trim() === 'all' });
  const preloadMs = Math.round((Number(process.hrtime.bigint() - started) / 1e6) * 100) / 100;
  const agent: AgentInfo = { version, internalErrors: 0, ...setup, preloadMs };
  warnIfKillSwitchIsNotBoolean();
  checkVariables(process.env);
  // The startup line (info and debug only) is a file of its own: no process pays for it at the default level.
  if (logs('info')) ownFile<typeof import('./startup-log.js')>('startup-log.cjs')?.logStartup({ version, activation, setup, preloadMs, disabledHooks: disabled });
  const output = process.env.AIM_OUTPUT?.trim();
  // The API key, or (signed generation) an agent's own id and private key.
  const reportToAim = Boolean(process.env.AIM_API_KEY?.trim() || (process.env.AIM_AGENT_ID?.trim() && process.env.AIM_PRIVATE_KEY?.trim()));
  const allowList = process.env.AIM_ALLOWLIST?.trim();
  host = {
    startedAs,
    agent,
    start,
    sinks: { output, reportToAim, ...(allowList ? { allowList } : {}), loadReporter: once(() => loadReporter(core())) },
    scanRequireCache,
    internalErrors: () => health.errors,
    internalError,
    parseConfig: () => mcpLayer()?.serversInConfig,
  };
  const record = agentRecord();
  record.activation = activation;
  // The public API (src/index.ts) reads the inventory through the record: that is a reason to build it.
  Object.defineProperty(record, 'inventory', { get: () => core()?.inventory, enumerable: true, configurable: true });
  if (!output && !reportToAim && !allowList) return;
  // A sink reads the inventory: build it after the app's first tick, off its startup.
  setTimeout(core, 0).unref();
  // First among exit listeners: packages loaded late must be in the inventory the sinks write then.
  process.prependListener('exit', () => {
    scanRequireCache();
    core()?.sinks.exit();
  });
  if (reportToAim) process.once('beforeExit', () => core()?.sinks.beforeExit());
}

/**
 * One of our other bundles beside this one, or undefined when it cannot be loaded. Maybe from
 * inside the resolve hook: its require()s are ours, not the app's first.
 */
function ownFile<T>(name: string): T | undefined {
  try {
    return loadingOwnCode(() => require(join(__dirname, name)) as T);
  } catch {
    return undefined;
  }
}

/** dist/core.cjs (src/register/core.ts): inference, the inventory and the sinks, started on what waited. */
function loadCore(host: CoreHost, waiting: readonly [Observation, number][]): Core | undefined {
  try {
    const core = ownFile<typeof import('./core.js')>('core.cjs')?.startCore(host, waiting);
    if (core) return core;
  } catch {
    // Said below, once.
  }
  warn('AIM-H004', 'the inventory could not be loaded; nothing is inventoried or reported in this process.');
  return undefined;
}

/** AIM_ESM_LOADER=1: the async loader, opt-in because it costs about +120 ms where it is needed. */
function asyncLoaderUrl(): string | undefined {
  if (!isOn(process.env.AIM_ESM_LOADER)) return undefined;
  return pathToFileURL(join(__dirname, 'esm-loader.mjs')).href;
}

/** The MCP layer's bundle, compiled the first time MCP shows up (src/register/mcp-layer.ts). */
const mcpLayer = once((): typeof import('./mcp-layer.js') | undefined => {
  const layer = ownFile<typeof import('./mcp-layer.js')>('mcp.cjs');
  if (!layer) warn('AIM-H003', 'the MCP layer could not be loaded; MCP servers are not discovered in this process.');
  return layer;
});

function loadReporter(core: Core | undefined): ReturnType<typeof import('../report/lazy.js').startReporting> {
  if (!core) return undefined;
  const { inventory } = core;
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
