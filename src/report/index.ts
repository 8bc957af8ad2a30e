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

/** Starts the sinks that subscribe to the inventory. */
export function startSinks(inventory: Inventory, options: SinkOptions): void {
  if (options.output) startFileSink(inventory, options.output);
  if (options.allowList) watchDrift(inventory, options.allowList);
  if (options.reportToAim) {
    // After the app's first tick, so the client and zod never cost startup time; unref'd so a
    // process that is already done does not wait for them.
    let loaded = false;
    const load = () => {
      loaded = true;
      return options.loadReporter();
    };
    setTimeout(load, 0).unref();
    // A program done in its first tick (common with synchronous module hooks) never runs that
    // timer: load the reporter at the end. Listeners it adds now would not run for this event.
    process.once('beforeExit', () => {
      if (!loaded) void load()?.flush();
    });
    process.once('exit', () => {
      if (!loaded) load()?.spoolUnsent();
    });
  }
}
export { toCycloneDx, purlOf } from './cyclonedx.js';
export type { CycloneDxBom, CycloneDxVersion } from './cyclonedx.js';
export { readAllowList } from './allow-list.js';
