import { redactArgs } from '../platform/index.js';

/**
 * What a child_process call runs, for `system:exec` evidence: the program's base name and its
 * arguments with secrets redacted (`git push [REDACTED]`), and whether a shell reads the line.
 * `exec`/`execSync` always go through a shell; the others only with `{ shell: true }` (or a
 * shell path); `fork` runs a Node module.
 */
const SHELL_APIS = new Set(['exec', 'execSync']);
const MAX_LENGTH = 200;

export function commandOf(api: string, args: ArrayLike<unknown>): Record<string, string> | undefined {
  const first = args[0];
  if (typeof first !== 'string' && !(first instanceof URL)) return undefined;
  const file = String(first);
  if (SHELL_APIS.has(api)) return { command: clip(redactArgs(file.trim().split(/\s+/)).map(baseOfFirst).join(' ')), shell: 'true' };
  const list = Array.isArray(args[1]) ? (args[1] as unknown[]).map(String) : [];
  const options = (Array.isArray(args[1]) ? args[2] : args[1]) as { shell?: unknown } | undefined;
  const shell = typeof options === 'object' && options !== null && Boolean(options.shell);
  const words = api === 'fork' ? ['node', file, ...list] : [file, ...list];
  return { command: clip(redactArgs(words).map(baseOfFirst).join(' ')), shell: String(shell) };
}

/** The program as its base name (`/usr/bin/git` → `git`); arguments stay as they are. */
function baseOfFirst(word: string, index: number): string {
  return index === 0 ? word.slice(word.lastIndexOf('/') + 1) || word : word;
}

function clip(text: string): string {
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
