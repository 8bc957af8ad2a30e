/**
 * The programmatic API: read the inventory of this process and follow its changes. Works only
 * where the agent is active (`aim/register` preloaded); elsewhere it answers `undefined`.
 */
import type { Inventory, InventorySnapshot } from './inventory/index.js';

export type * from './inventory/types.js';

interface AgentRecord {
  version?: string;
  inventory?: Inventory;
}

function record(): AgentRecord | undefined {
  return (globalThis as { [key: symbol]: AgentRecord | undefined })[Symbol.for('aim.agent')];
}

/** The current inventory, or undefined when the agent is not active in this process. */
export function getInventory(): InventorySnapshot | undefined {
  return record()?.inventory?.snapshot();
}

/**
 * Calls `listener` with a fresh snapshot after each change (debounced to one call per tick).
 * Returns a function that stops it. Does nothing when the agent is not active.
 */
export function onInventoryChange(listener: (snapshot: InventorySnapshot) => void): () => void {
  const inventory = record()?.inventory;
  if (!inventory) return () => {};
  let scheduled = false;
  return inventory.onChange(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      try {
        listener(inventory.snapshot());
      } catch {
        // The listener's error is the caller's; it must not break the agent.
      }
    });
  });
}

/** True when the agent is active in this process. */
export function isActive(): boolean {
  return Boolean(record()?.inventory);
}
