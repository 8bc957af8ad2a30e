import { redactArgs } from '../platform/index.js';
import type { Command } from '../observations/index.js';

/** Characters of a command line kept as evidence. */
const MAX_LENGTH = 200;

/**
 * A command as `system:exec` evidence shows it: the program's base name and its arguments with
 * secrets redacted (`git push [REDACTED]`), shortened after redaction (so a cut never leaves half
 * a secret a pattern would have caught), and whether a shell reads the line.
 */
export function commandDetails({ words, shell }: Command): Record<string, string> {
  return { command: clip(redactArgs(words).map(baseOfFirst).join(' ')), shell: String(shell) };
}

function baseOfFirst(word: string, index: number): string {
  return index === 0 ? word.slice(word.lastIndexOf('/') + 1) || word : word;
}

function clip(text: string): string {
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
