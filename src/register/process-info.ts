import { launcherOf } from '../catalog/index.js';
import type { ProcessInfo } from '../inventory/index.js';
import { redactArgs } from '../hooks/index.js';

/** Who this process is, with secrets in its arguments redacted. */
export function processInfo(): ProcessInfo {
  const entry = process.argv[1];
  const info: ProcessInfo = {
    pid: process.pid,
    ppid: process.ppid,
    argv: redactArgs(process.argv),
    cwd: safeCwd(),
    node: process.version,
  };
  if (entry) info.entry = redactArgs([entry])[0]!;
  const launcher = launcherOf(entry, process.execArgv);
  if (launcher) info.launcher = launcher;
  return info;
}

function safeCwd(): string {
  try {
    return process.cwd();
  } catch {
    return '';
  }
}
