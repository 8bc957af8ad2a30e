/**
 * The door of the inventory's bundle (dist/core.cjs): inference, the inventory and the local
 * sinks. The startup bundle only observes; this is compiled when something needs the inventory
 * (a sink after the app's first tick, the public API, the exit of a process with a sink) or when
 * observations waiting for it pile up. A short program nobody reads the inventory of never
 * compiles it, and no process compiles it before the app's first line (docs/performance.md).
 */
import { infer } from '../inference/index.js';
import { Inventory, type AgentInfo } from '../inventory/index.js';
import type { Observation } from '../observations/index.js';
import { packageVersion } from '../platform/index.js';
import { startSinks, type SinkOptions, type Sinks } from '../report/index.js';
import { isBundled } from './entry-bundle.js';
import { scanConfigFiles, type ParseConfig, type StartPlace } from './mcp-config-files.js';
import { processInfo, type StartedAs } from './process-info.js';

/** What the startup bundle hands over: the facts of startup and the hooks' own state. */
export interface CoreHost {
  startedAs: StartedAs;
  agent: AgentInfo;
  start: StartPlace;
  sinks: SinkOptions;
  /** Packages loaded out of the hooks' sight (the hooks' require.cache scan). */
  scanRequireCache(): void;
  /** The hooks' internal errors so far. */
  internalErrors(): number;
  internalError(error: unknown): void;
  /** The MCP layer's config parser, loading the layer (only a config file that declares servers asks). */
  parseConfig(): ParseConfig | undefined;
}

export interface Core {
  inventory: Inventory;
  /** One observation, with the time it was made (it may have waited for this bundle). */
  take(observation: Observation, at: number): void;
  sinks: Sinks;
}

/** Builds the inventory from the observations that waited for it, then starts the sinks on it. */
export function startCore(host: CoreHost, waiting: readonly [Observation, number][]): Core {
  let looked = false;
  const inventory: Inventory = new Inventory(processInfo(host.startedAs), host.agent, packageVersion, () => {
    host.scanRequireCache();
    const errors = host.internalErrors();
    if (errors !== inventory.agent.internalErrors) inventory.updateAgent({ internalErrors: errors });
    if (looked) return;
    looked = true;
    firstLook(inventory, host);
  });
  const take = (observation: Observation, at: number): void => {
    try {
      infer(observation, inventory, new Date(at).toISOString());
    } catch (error) {
      host.internalError(error);
    }
  };
  for (const [observation, at] of waiting) take(observation, at);
  return { inventory, take, sinks: startSinks(inventory, host.sinks) };
}

/**
 * Once per process, when the inventory is first read: the MCP config files, and whether the entry
 * file is a bundle (a 4 KiB read every process paid at startup, 0.17 ms, read or not).
 */
function firstLook(inventory: Inventory, host: CoreHost): void {
  scanConfigFiles(host.start, {
    parse: host.parseConfig,
    found: (server) => infer(server, inventory),
    internalError: host.internalError,
  });
  if (isBundled(host.start.entry)) inventory.updateAgent({ visibility: 'partial:bundled' });
}
