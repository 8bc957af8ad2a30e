import type { Inventory } from '../inventory/index.js';
import { startFileSink } from './file.js';
import { watchDrift } from './drift.js';

export interface SinkOptions {
  /** AIM_OUTPUT, raw: a directory. */
  output?: string;
  /** AIM_ALLOWLIST, raw: a file of allowed capabilities; a use outside it is drift. */
  allowList?: string;
  /** True when AIM_API_KEY is set: the reporter loads, off the startup path. */
  reportToAim: boolean;
  /** Loads dist/reporter.cjs (zod, the AIM client) and starts it, once; then returns the same reporter. */
  loadReporter: () => { flush(): Promise<void>; spoolUnsent(): void } | undefined;
}

/** What the sinks do as the process ends; the agent calls these from listeners it added at startup. */
export interface Sinks {
  beforeExit(): void;
  exit(): void;
}

/**
 * Starts the sinks that subscribe to the inventory. They add no process listener: this may run
 * while the process is already exiting (listeners added then would not run), so the agent calls
 * `beforeExit` and `exit` from its own.
 */
export function startSinks(inventory: Inventory, options: SinkOptions): Sinks {
  const atExit: (() => void)[] = [];
  if (options.output) atExit.push(startFileSink(inventory, options.output));
  if (options.allowList) atExit.push(watchDrift(inventory, options.allowList));
  let loaded = false;
  const load = () => {
    loaded = true;
    return options.loadReporter();
  };
  // After the app's first tick, so the client and zod never cost startup time; unref'd so a
  // process that is already done does not wait for them.
  if (options.reportToAim) setTimeout(load, 0).unref();
  return {
    // A program done in its first tick (common with synchronous module hooks) never runs that
    // timer: load the reporter at the end. Listeners it adds now would not run for this event.
    beforeExit: () => {
      if (options.reportToAim && !loaded) void load()?.flush();
    },
    exit: () => {
      for (const sink of atExit) sink();
      if (options.reportToAim && !loaded) load()?.spoolUnsent();
    },
  };
}
export { toCycloneDx, purlOf } from './cyclonedx.js';
export type { CycloneDxBom, CycloneDxVersion } from './cyclonedx.js';
export { readAllowList } from './allow-list.js';
