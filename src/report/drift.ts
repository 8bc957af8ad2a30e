import type { Inventory } from '../inventory/index.js';
import { warn } from '../platform/index.js';
import { readAllowList } from './allow-list.js';

/**
 * Drift: a capability the program used that the local allow-list (AIM_ALLOWLIST) does not name.
 * Said once per capability on stderr (`AIM-D001-<capability>`), with where it was seen; the
 * reporter files it with AIM as a capability request instead of granting it. aim never blocks
 * the call: enforcing is Node's permission model's job (`aim policy`).
 */
export function watchDrift(inventory: Inventory, file: string): () => void {
  let allowed: ReadonlySet<string> | undefined;
  let scheduled = false;
  const said = new Set<string>();
  const check = (): void => {
    scheduled = false;
    if (!allowed) {
      const read = readAllowList(file);
      if (typeof read === 'string') {
        warn('AIM-D002', `${read}; drift is not checked in this process.`);
        unsubscribe();
        return;
      }
      allowed = read;
    }
    for (const capability of inventory.usedCapabilities()) {
      if (allowed.has(capability.id) || said.has(capability.id)) continue;
      said.add(capability.id);
      const first = capability.evidence.find((e) => e.strength === 'used');
      const where = first ? ` (${first.api} by ${first.who}${first.location ? ` at ${first.location}` : ''})` : '';
      warn(`AIM-D001-${capability.id}`, `${capability.id} was used outside the allow-list ${file}${where}; aim does not block it (see aim policy).`);
    }
  };
  const unsubscribe = inventory.onChange(() => {
    if (scheduled) return;
    scheduled = true;
    // Once per burst of changes, off the app's call: a capability's first use is one change.
    setTimeout(guarded, 0).unref();
  });
  const guarded = (): void => {
    try {
      check();
    } catch {
      // never into the app
    }
  };
  // At exit: a use that came after the last check.
  return guarded;
}
