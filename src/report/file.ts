import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../inventory/index.js';
import { warn } from '../platform/index.js';

/** Writes bursts of changes at most this often. */
const DEBOUNCE_MS = 100;

/**
 * `AIM_OUTPUT=<dir>`: the inventory as `<dir>/<pid>.json`, written atomically (temp file, then
 * rename), debounced on change and once more at exit. A write that fails (read-only disk,
 * `--permission`) gives one warning and the sink stops; the app never notices.
 */
export function startFileSink(inventory: Inventory, dir: string): void {
  const file = join(dir, `${process.pid}.json`);
  const temp = join(dir, `.${process.pid}.json.tmp`);
  let written = -1;
  let broken = false;
  let timer: NodeJS.Timeout | undefined;

  const write = (): void => {
    timer = undefined;
    if (broken || written === inventory.revision) return;
    try {
      const snapshot = inventory.snapshot();
      mkdirSync(dir, { recursive: true });
      writeFileSync(temp, `${JSON.stringify(snapshot, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, file);
      written = snapshot.revision;
    } catch (error) {
      broken = true;
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      warn('AIM-O001', `cannot write the inventory to AIM_OUTPUT (${code}); local output is off for this process.`);
    }
  };

  inventory.onChange(() => {
    if (timer || broken) return;
    timer = setTimeout(write, DEBOUNCE_MS);
    timer.unref();
  });
  process.on('exit', () => {
    if (timer) clearTimeout(timer);
    write();
  });
  write();
}
