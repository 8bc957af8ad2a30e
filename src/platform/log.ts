/**
 * The agent's only voice: one line on stderr per stable code, never stdout (stdio MCP servers
 * speak JSON-RPC there). Levels come from AIM_LOG_LEVEL, read raw because this runs before config.
 */
import { printable } from './sanitize.js';

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

const LEVELS: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };
/** Shared by every bundle of ours in the process (agent.cjs, reporter.cjs): each code once per process. */
const said: Set<string> = ((globalThis as { [key: symbol]: Set<string> | undefined })[Symbol.for('aim.log.said')] ??= new Set());

function threshold(): number {
  const raw = (process.env.AIM_LOG_LEVEL ?? '').toLowerCase();
  return raw in LEVELS ? LEVELS[raw as LogLevel] : LEVELS.warn;
}

/** Whether a line at `level` would be written: lets a caller skip building one nobody sees. */
export function logs(level: Exclude<LogLevel, 'silent'>): boolean {
  return LEVELS[level] <= threshold();
}

/** Writes `aim <level> <CODE>: message` once per code (debug lines are not deduplicated). */
export function log(level: Exclude<LogLevel, 'silent'>, code: string, message: string): void {
  if (LEVELS[level] > threshold()) return;
  if (level !== 'debug') {
    if (said.has(code)) return;
    said.add(code);
  }
  try {
    // Messages may quote a server's answer or a name: one line, no terminal escapes.
    process.stderr.write(`aim ${level} ${code}: ${printable(message, 2000)}\n`);
  } catch {
    // stderr closed: nothing left to tell.
  }
}

export const warn = (code: string, message: string): void => log('warn', code, message);
export const debug = (code: string, message: string): void => log('debug', code, message);
