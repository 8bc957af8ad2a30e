import { launcherOf } from '../catalog/index.js';
import type { ProcessInfo } from '../inventory/index.js';
import { redactArgs } from '../platform/index.js';

/** The process as it was at startup, copied then (the app may change process.argv or chdir). */
export interface StartedAs {
  argv: string[];
  cwd: string;
}

/**
 * Who this process is, with secrets in its arguments redacted. Built by the inventory's bundle
 * when it loads: the secret patterns cost about 0.5 ms, which startup need not pay.
 */
export function processInfo({ argv, cwd }: StartedAs): ProcessInfo {
  const info: ProcessInfo = { pid: process.pid, ppid: process.ppid, argv: redactArgs(argv), cwd, node: process.version };
  const entry = argv[1];
  if (entry) info.entry = redactArgs([entry])[0]!;
  const launcher = launcherOf(entry, process.execArgv);
  if (launcher) info.launcher = launcher;
  return info;
}
