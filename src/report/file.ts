import { resolve } from 'node:path';
import type { Inventory } from '../inventory/index.js';
import { warn, writeOutputFile } from '../platform/index.js';

/** Writes bursts of changes at most this often. */
const DEBOUNCE_MS = 100;

/**
 * `AIM_OUTPUT=<dir>`: the inventory as `<dir>/<pid>.json`, written atomically (temp file, then
 * rename), debounced on change and once more at exit. A write that fails (read-only disk,
 * `--permission`, a link someone else planted, a file aim did not write: see writeOutputFile)
 * gives one warning and the sink stops; the app never notices.
 */
export function startFileSink(inventory: Inventory, dir: string): () => void {
  // Resolved now: the app may change its working directory later.
  const file = resolve(dir, `${process.pid}.json`);
  let written = -1;
  let inode: number | undefined;
  let broken = false;
  let timer: NodeJS.Timeout | undefined;

  const write = (): void => {
    timer = undefined;
    if (broken || written === inventory.revision) return;
    let ok = false;
    try {
      const snapshot = inventory.snapshot();
      inode = writeOutputFile(file, `${JSON.stringify(snapshot, null, 2)}\n`, inode);
      ok = inode !== undefined;
      if (ok) written = snapshot.revision;
    } catch {
      // A bug of ours; this also runs at exit, where it must not reach the app.
    }
    if (ok) return;
    broken = true;
    warn('AIM-O001', `cannot write the inventory to AIM_OUTPUT (${dir}); local output is off for this process.`);
  };

  inventory.onChange(() => {
    if (timer || broken) return;
    timer = setTimeout(write, DEBOUNCE_MS);
    timer.unref();
  });
  write();
  // At exit: what changed since the last write.
  return () => {
    if (timer) clearTimeout(timer);
    write();
  };
}
