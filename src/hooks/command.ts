import type { Command } from '../observations/index.js';

/**
 * What a child_process call runs, as the program wrote it: the words and whether a shell reads
 * them. `exec`/`execSync` always go through a shell; the others only with `{ shell: true }` (or a
 * shell path); `fork` runs a Node module. Raw facts: inference redacts secrets and shortens the
 * line before anything keeps it (src/inference/command.ts), so redaction's patterns never cost
 * startup.
 */
const SHELL_APIS = new Set(['exec', 'execSync']);
/** Words kept: a command line far longer than the evidence shows (200 characters) gains nothing. */
const MAX_WORDS = 64;

export function commandOf(api: string, args: ArrayLike<unknown>): Command | undefined {
  const first = args[0];
  if (typeof first !== 'string' && !(first instanceof URL)) return undefined;
  const file = String(first);
  if (SHELL_APIS.has(api)) return { words: file.trim().split(/\s+/, MAX_WORDS), shell: true };
  const list = Array.isArray(args[1]) ? (args[1] as unknown[]).slice(0, MAX_WORDS).map(String) : [];
  const options = (Array.isArray(args[1]) ? args[2] : args[1]) as { shell?: unknown } | undefined;
  const shell = typeof options === 'object' && options !== null && Boolean(options.shell);
  return { words: api === 'fork' ? ['node', file, ...list] : [file, ...list], shell };
}
