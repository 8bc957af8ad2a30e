import type { BuiltinRow } from './builtins.js';
import type { CapabilityId } from './ids.js';

/**
 * Which arguments of a catalogued call name files, and how Node's permission model counts each:
 * `read` (`--allow-fs-read`, metadata probes included) or `write` (`--allow-fs-write`, deletes
 * included). The first argument is the path of every fs row unless a row is listed here.
 */
export type PathAccess = 'read' | 'write';

export interface PathArg {
  arg: number;
  /** Fixed access; otherwise it follows the call's capability (`file:read` → read, else write). */
  access?: PathAccess;
  /** `prefix`: mkdtemp's argument is the start of a name Node completes. */
  form?: 'prefix';
}

const pathArgsByApi: Readonly<Record<string, readonly PathArg[]>> = {
  rename: [{ arg: 0, access: 'write' }, { arg: 1, access: 'write' }],
  copyFile: [{ arg: 0, access: 'read' }, { arg: 1, access: 'write' }],
  cp: [{ arg: 0, access: 'read' }, { arg: 1, access: 'write' }, { arg: 1, access: 'read' }],
  // rm checks what it removes first (an lstat): Node asks read and write permission for it.
  rm: [{ arg: 0, access: 'write' }, { arg: 0, access: 'read' }],
  link: [{ arg: 0, access: 'read' }, { arg: 1, access: 'write' }],
  symlink: [{ arg: 1, access: 'write' }],
  mkdtemp: [{ arg: 0, access: 'write', form: 'prefix' }],
};

const firstPath: readonly PathArg[] = [{ arg: 0 }];

/** The path arguments of an fs row (none for other modules). */
export function pathArgs(row: BuiltinRow): readonly PathArg[] {
  if (row.module !== 'fs' && row.module !== 'fs/promises') return [];
  return pathArgsByApi[row.api.replace(/Sync$/, '')] ?? firstPath;
}

export function accessOf(arg: PathArg, capability: CapabilityId): PathAccess {
  return arg.access ?? (capability === 'file:read' ? 'read' : 'write');
}

/** The child_process calls whose first argument is a whole shell command line, not a program. */
const shellLineApis = new Set(['exec', 'execSync']);

/**
 * The programs a spawn starts, by file name only (never arguments, which may hold secrets): the
 * program itself, and for a shell command line (`exec`, `sh -c`) each command of it.
 */
export function programsOfSpawn(api: string, args: ArrayLike<unknown>): string[] {
  const command = args[0];
  if (typeof command !== 'string') return [];
  if (shellLineApis.has(api)) return commandsOfShellLine(command);
  const name = baseName(command);
  const rest = args[1];
  if (SHELLS.has(name) && Array.isArray(rest)) {
    const at = rest.indexOf('-c');
    const line = at >= 0 ? rest[at + 1] : undefined;
    if (typeof line === 'string') return [name, ...commandsOfShellLine(line)];
  }
  return [name];
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh']);

/** The first word of each command of a shell line (after `|`, `;`, `&&`, `||`, `$(`, a backtick). */
function commandsOfShellLine(line: string): string[] {
  const names: string[] = [];
  for (const part of line.split(/\|\||&&|[|;&\n`]|\$\(/)) {
    const words = part.trim().split(/\s+/).filter((w) => !/^\w+=/.test(w) && w !== 'sudo' && w !== 'exec' && w !== 'env');
    if (words[0]) names.push(baseName(words[0].replace(/^["'(]+|["')]+$/g, '')));
  }
  return names.filter(Boolean);
}

function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut >= 0 ? path.slice(cut + 1) : path;
}
