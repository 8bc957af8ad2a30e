import { closeSync, fchmodSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { quietly } from './quiet.js';

/**
 * Writes a file only its owner can read (0600, in a 0700 directory), atomically: a temp file in
 * the same directory, then a rename, so a reader never sees half a file. Returns false instead of
 * throwing (a read-only disk, `--permission`); the temp file is cleaned up.
 */
export function writePrivateFile(file: string, text: string): boolean {
  return quietly(() => write(file, text));
}

function write(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, 'w', 0o600);
    try {
      fchmodSync(fd, 0o600); // exactly 0600, whatever the umask
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}
