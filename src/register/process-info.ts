import { launcherOf } from '../catalog/index.js';
import type { ProcessInfo } from '../inventory/index.js';
import { redactArgs, safeCwd } from '../platform/index.js';

/**
 * Who this process is, with secrets in its arguments redacted. The arguments are copied now (the
 * app may change process.argv) and redacted when first read, at the first snapshot: the secret
 * patterns cost about 0.5 ms, which startup need not pay.
 */
export function processInfo(): ProcessInfo {
  const argv = process.argv.slice();
  const entry = argv[1];
  const info = { pid: process.pid, ppid: process.ppid } as ProcessInfo;
  computedOnFirstRead(info, 'argv', () => redactArgs(argv));
  info.cwd = safeCwd();
  info.node = process.version;
  if (entry) computedOnFirstRead(info, 'entry', () => redactArgs([entry])[0]!);
  const launcher = launcherOf(entry, process.execArgv);
  if (launcher) info.launcher = launcher;
  return info;
}

/** An enumerable property (JSON and spreads see it, in place) whose value is computed once, when read. */
function computedOnFirstRead<K extends keyof ProcessInfo>(info: ProcessInfo, key: K, compute: () => ProcessInfo[K]): void {
  Object.defineProperty(info, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(info, key, { value, enumerable: true, configurable: true, writable: true });
      return value;
    },
  });
}
