import { lstatSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { ensureOwnDir, notOwnBecause, ownDirProblem, readOwnFile, writeAtomically, type NotOwn } from './owned.js';
import { quietly } from './quiet.js';

/**
 * Writes a file only its owner can read (0600) in a directory that is the user's own (made 0700
 * when missing; see owned.ts), atomically: a temp file with a random name, then a rename, so a
 * reader never sees half a file and a planted link is never followed. Returns false instead of
 * throwing (a read-only disk, `--permission`, a directory someone else can write).
 */
export function writePrivateFile(file: string, text: string): boolean {
  return quietly(() => {
    if (ensureOwnDir(dirname(file))) return false;
    try {
      writeAtomically(file, text);
      return true;
    } catch {
      return false;
    }
  });
}

/** The text of a file in the user's own directory that is the user's own too; undefined otherwise. */
export function readPrivateFile(file: string, maxBytes = 1024 * 1024): string | undefined {
  return quietly(() => (ownDirProblem(dirname(file)) ? undefined : readOwnFile(file, maxBytes)?.toString('utf8')));
}

/** Why aim will not keep files in `dir` (undefined when it will, or when the directory is not made yet). */
export function privateDirProblem(dir: string): NotOwn | undefined {
  const problem = quietly(() => ownDirProblem(dir));
  return problem === 'missing' ? undefined : problem;
}

/**
 * aim's per-user state (spool, fleet state, ledgers): `$XDG_STATE_HOME/aim`, else
 * `~/.local/state/aim`, else (no home) `<tmpdir>/aim-<uid>`, which like any directory is used only
 * when it is the user's own. Never the shared temp dir first: anyone can make a name there.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return join(env.XDG_STATE_HOME, 'aim');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'aim', 'state');
  const home = env.HOME || quietly(() => safeHome());
  if (home && isAbsolute(home)) return join(home, '.local', 'state', 'aim');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(tmpdir(), `aim-${uid}`);
}

function safeHome(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

/**
 * Writes `file` in a directory the user named (AIM_OUTPUT), which may be shared with others:
 * never through a link someone else planted at the directory, never over a file aim did not
 * write. `mine` is the inode aim wrote last (undefined before the first write). Returns the inode
 * written, or undefined when it did not write. Never throws.
 */
export function writeOutputFile(file: string, text: string, mine: number | undefined): number | undefined {
  return quietly(() => {
    try {
      if (outputDirProblem(dirname(file)) || !replaceable(file, mine)) return undefined;
      writeAtomically(file, text);
      return lstatSync(file).ino;
    } catch {
      return undefined;
    }
  });
}

/** A link at the directory is followed only when this user or root made it; a missing one is made ours. */
function outputDirProblem(dir: string): NotOwn | undefined {
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st) return ensureOwnDir(dir);
  if (st.isSymbolicLink() && st.uid !== process.getuid?.() && st.uid !== 0) return "another user's";
  return statSync(dir).isDirectory() ? undefined : 'not a directory';
}

/** Nothing there, the file aim wrote last, or (first write) an inventory of an earlier process of this user with the same pid. */
function replaceable(file: string, mine: number | undefined): boolean {
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st) return true;
  if (mine !== undefined) return st.ino === mine && !notOwnBecause(st, 'file');
  const text = readOwnFile(file, 64 * 1024 * 1024)?.subarray(0, 64).toString('utf8');
  return text !== undefined && /^\{\s*"schema":\s*"aim\.inventory\/v1"/.test(text);
}
