import * as fs from 'node:fs';
import * as path from 'node:path';
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
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.fchmodSync(fd, 0o600); // exactly 0600, whatever the umask
      fs.writeSync(fd, text);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}
