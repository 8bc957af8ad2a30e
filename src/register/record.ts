import type { Inventory } from '../inventory/index.js';

/** How the agent came in. */
export type Activation = 'import' | 'require';

/**
 * The process-wide record of the agent, on `globalThis` under `Symbol.for('aim.agent')`, so a
 * second copy of aim (another version, `--import` plus `--require`) activates nothing, and the
 * public API finds the inventory whichever build it was loaded from.
 */
export interface AgentRecord {
  version: string;
  /** The directory of the door it came in by (dist/). */
  path: string;
  activation?: Activation;
  inventory?: Inventory;
}

export const AGENT_KEY = Symbol.for('aim.agent');

export function agentRecord(): AgentRecord {
  const g = globalThis as { [AGENT_KEY]?: AgentRecord };
  g[AGENT_KEY] ??= { version: 'unknown', path: '' };
  return g[AGENT_KEY];
}
