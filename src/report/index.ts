import type { Inventory } from '../inventory/index.js';
import { startFileSink } from './file.js';

export interface SinkOptions {
  /** AIM_OUTPUT, raw: a directory. */
  output?: string;
  /** True when AIM_API_KEY is set: the reporter loads, off the startup path. */
  reportToAim: boolean;
  /** Loads dist/reporter.cjs (undici, zod) and starts it. */
  loadReporter: () => void;
}

/** Starts the sinks that subscribe to the inventory. */
export function startSinks(inventory: Inventory, options: SinkOptions): void {
  if (options.output) startFileSink(inventory, options.output);
  if (options.reportToAim) {
    // After the app's first tick, so undici and zod never cost startup time; unref'd so a
    // process that is already done does not wait for them.
    setTimeout(options.loadReporter, 0).unref();
  }
}
