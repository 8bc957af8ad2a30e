/**
 * The files aim trusts and the way it writes them. aim runs inside every process of a user, often
 * with a shared temp dir or `HOME=/tmp` (containers, CI): a directory or file another local user
 * can write is theirs, not ours. So aim reads and writes only in directories that are the user's
 * own (owned by this uid, writable by nobody else, not a symlink: checked with lstat), reads files
 * only after checking the open descriptor the same way (opened without following a link, without
 * blocking on a FIFO), and writes by a temp file with a random name, created with
 * `O_EXCL | O_NOFOLLOW`, then renamed (rename replaces a planted link, it never follows it).
 *
 * Builtins through process.getBuiltinModule, no imports: aim/register's code-cache loader uses
 * this file too, and there an `import` of a builtin would cost its ES-module facade at startup.
 */
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';
import type * as Crypto from 'node:crypto';

const fs = () => process.getBuiltinModule('node:fs') as typeof Fs;
const path = () => process.getBuiltinModule('node:path') as typeof Path;

/** Why a path is not the user's own: the stable words a warning says. */
export type NotOwn = 'a symlink' | 'not a directory' | 'not a regular file' | "another user's" | 'writable by others' | 'missing' | 'not creatable' | 'not absolute';

/** More components than this are not created: a path that deep is a mistake, and no loop may be unbounded. */
const MAX_CREATED = 32;

/** Why this lstat/fstat result is not the user's own directory or file; undefined when it is. */
export function notOwnBecause(st: Fs.Stats, kind: 'directory' | 'file'): NotOwn | undefined {
  if (st.isSymbolicLink()) return 'a symlink';
  if (kind === 'directory' ? !st.isDirectory() : !st.isFile()) return kind === 'directory' ? 'not a directory' : 'not a regular file';
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return "another user's";
  if (process.platform !== 'win32' && st.mode & 0o022) return 'writable by others';
  return undefined;
}

/** Why `dir` is not the user's own directory (lstat: a link is not followed); undefined when it is. */
export function ownDirProblem(dir: string): NotOwn | undefined {
  if (!path().isAbsolute(dir)) return 'not absolute';
  const st = fs().lstatSync(dir, { throwIfNoEntry: false });
  return st ? notOwnBecause(st, 'directory') : 'missing';
}

/**
 * Makes `dir` (0700) and its missing parents one at a time, then checks it is the user's own.
 * Never `mkdirSync(..., { recursive: true })`: under /proc (`AIM_OUTPUT=/proc/x`, `HOME=/proc/x`)
 * Node's recursive mkdir loops forever at 100 % CPU. Returns why the directory cannot be used.
 */
export function ensureOwnDir(dir: string): NotOwn | undefined {
  try {
    if (!path().isAbsolute(dir)) return 'not absolute';
    const { lstatSync, mkdirSync } = fs();
    const missing: string[] = [];
    let current = path().normalize(dir);
    while (!lstatSync(current, { throwIfNoEntry: false })) {
      if (missing.length >= MAX_CREATED) return 'not creatable';
      missing.push(current);
      const parent = path().dirname(current);
      if (parent === current) return 'not creatable';
      current = parent;
    }
    for (let i = missing.length - 1; i >= 0; i--) mkdirSync(missing[i]!, { mode: 0o700 });
    return ownDirProblem(dir);
  } catch {
    return 'not creatable';
  }
}

/**
 * The bytes of a file that is the user's own, at most `maxBytes`; undefined when it is missing,
 * a link, a FIFO or device, someone else's, writable by others, or bigger. Never throws.
 */
export function readOwnFile(file: string, maxBytes: number): Buffer | undefined {
  const { closeSync, constants, fstatSync, openSync, readSync } = fs();
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a FIFO planted at the name would otherwise block open() for ever.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    const st = fstatSync(fd);
    if (notOwnBecause(st, 'file') || st.size > maxBytes) return undefined;
    const buffer = Buffer.allocUnsafe(st.size);
    let read = 0;
    while (read < st.size) {
      const n = readSync(fd, buffer, read, st.size - read, null);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `file` atomically with mode 0600: a temp file beside it with a random name, created
 * exclusively and without following a link, then renamed over `file`. Throws on failure (the
 * temp file is removed); the directory must already be one the caller checked.
 */
export function writeAtomically(file: string, data: string | Uint8Array): void {
  const { closeSync, constants, fchmodSync, openSync, renameSync, unlinkSync, writeSync } = fs();
  const random = (process.getBuiltinModule('node:crypto') as typeof Crypto).randomBytes(8).toString('hex');
  const temporary = `${file}.${random}.tmp`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
  const fd = openSync(temporary, flags, 0o600);
  try {
    try {
      fchmodSync(fd, 0o600); // exactly 0600, whatever the umask
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // already renamed or never there
    }
    throw error;
  }
}
