/**
 * The files aim keeps (spool, state, ledgers, credentials, the code cache, AIM_OUTPUT), attacked
 * by another local user: simulated by ownership (chown to `nobody`, as root), by modes that let
 * group or others write, by planted links and FIFOs, and by running as a non-root uid.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureOwnDir, ownDirProblem, readOwnFile } from '../src/platform/owned.js';
import { defaultStateDir, readPrivateFile, writeOutputFile, writePrivateFile } from '../src/platform/private-file.js';
import { tempDir } from './helpers/collector.js';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

describe('directories aim keeps files in', () => {
  it('are made 0700, one component at a time', () => {
    const dir = join(tempDir(), 'a', 'b', 'c');
    expect(ensureOwnDir(dir)).toBeUndefined();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, '..')).mode & 0o777).toBe(0o700);
  });

  it('under /proc: refused at once (Node\'s recursive mkdir loops there for ever)', () => {
    expect(ensureOwnDir('/proc/aim-nowhere/state/aim')).toBe('not creatable');
    expect(ensureOwnDir('/proc/self/aim')).toBe('not creatable');
  });

  it('a path deeper than any real one is not made', () => {
    const deep = join(tempDir(), ...Array.from({ length: 40 }, (_, i) => `d${i}`));
    expect(ensureOwnDir(deep)).toBe('not creatable');
  });

  it.skipIf(!asRoot)("another user's directory is refused", () => {
    const dir = tempDir();
    chownSync(dir, NOBODY, NOBODY);
    expect(ownDirProblem(dir)).toBe("another user's");
    expect(writePrivateFile(join(dir, 'state.json'), '{}')).toBe(false);
  });

  it('a directory group or others can write is refused', () => {
    const dir = tempDir();
    chmodSync(dir, 0o777);
    expect(ensureOwnDir(dir)).toBe('writable by others');
    chmodSync(dir, 0o720);
    expect(writePrivateFile(join(dir, 'state.json'), '{}')).toBe(false);
  });

  it('a symlinked directory is refused, even to a directory of the user', () => {
    const base = tempDir();
    mkdirSync(join(base, 'real'), { mode: 0o700 });
    symlinkSync(join(base, 'real'), join(base, 'link'));
    expect(ensureOwnDir(join(base, 'link'))).toBe('a symlink');
    expect(writePrivateFile(join(base, 'link', 'state.json'), '{}')).toBe(false);
  });
});

describe('writing a private file', () => {
  it('never follows a link planted at a temporary name or at the file itself', () => {
    const dir = tempDir();
    const victim = join(tempDir(), 'victim.txt');
    writeFileSync(victim, 'precious');
    const file = join(dir, 'spool.json');
    // The temporary name aim used to use, and the final name.
    symlinkSync(victim, `${file}.${process.pid}.tmp`);
    symlinkSync(victim, file);
    expect(writePrivateFile(file, '{"v":1}')).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(file).isFile()).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readlinkSync(`${file}.${process.pid}.tmp`)).toBe(victim);
  });
});

describe('reading a private file', () => {
  it('reads the user\'s own', () => {
    const file = join(tempDir(), 'state.json');
    writePrivateFile(file, 'mine');
    expect(readPrivateFile(file)).toBe('mine');
  });

  it.skipIf(!asRoot)("refuses another user's file", () => {
    const file = join(tempDir(), 'state.json');
    writePrivateFile(file, 'planted');
    chownSync(file, NOBODY, NOBODY);
    expect(readPrivateFile(file)).toBeUndefined();
  });

  it('refuses a file others can write, a link, and a FIFO (without blocking)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'open.json'), 'planted', { mode: 0o666 });
    chmodSync(join(dir, 'open.json'), 0o666);
    expect(readPrivateFile(join(dir, 'open.json'))).toBeUndefined();
    writePrivateFile(join(dir, 'real.json'), 'real');
    symlinkSync(join(dir, 'real.json'), join(dir, 'link.json'));
    expect(readPrivateFile(join(dir, 'link.json'))).toBeUndefined();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(readOwnFile(join(dir, 'fifo'), 1024)).toBeUndefined();
  });

  it('refuses a file bigger than asked', () => {
    const file = join(tempDir(), 'big');
    writePrivateFile(file, 'x'.repeat(2048));
    expect(readOwnFile(file, 1024)).toBeUndefined();
  });
});

describe('the default state directory', () => {
  it('is per user: XDG_STATE_HOME, else ~/.local/state, never the shared temp dir while there is a home', () => {
    expect(defaultStateDir({ XDG_STATE_HOME: '/x/state', HOME: '/home/u' })).toBe('/x/state/aim');
    expect(defaultStateDir({ HOME: '/home/u' })).toBe('/home/u/.local/state/aim');
    expect(defaultStateDir({ XDG_STATE_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.local/state/aim');
  });
});

describe('AIM_OUTPUT in a directory others can write', () => {
  const inventory = (revision: number) => `${JSON.stringify({ schema: 'aim.inventory/v1', revision }, null, 2)}\n`;

  it('writes, then rewrites only the file it wrote', () => {
    const file = join(tempDir(), '123.json');
    const first = writeOutputFile(file, inventory(1), undefined);
    expect(first).toBeTypeOf('number');
    expect(writeOutputFile(file, inventory(2), first)).toBeTypeOf('number');
    expect(JSON.parse(readFileSync(file, 'utf8')).revision).toBe(2);
  });

  it('never overwrites a file aim did not write, nor one swapped in after it wrote', () => {
    const dir = tempDir();
    chmodSync(dir, 0o1777);
    const file = join(dir, '123.json');
    writeFileSync(file, 'someone else\'s');
    expect(writeOutputFile(file, inventory(1), undefined)).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe('someone else\'s');

    const other = join(dir, '124.json');
    const mine = writeOutputFile(other, inventory(1), undefined);
    writeFileSync(`${other}.new`, 'swapped in');
    execFileSync('mv', [`${other}.new`, other]);
    expect(writeOutputFile(other, inventory(2), mine)).toBeUndefined();
    expect(readFileSync(other, 'utf8')).toBe('swapped in');
  });

  it('replaces an inventory an earlier process of the user left at the same pid', () => {
    const file = join(tempDir(), '123.json');
    writeFileSync(file, inventory(7));
    expect(writeOutputFile(file, inventory(1), undefined)).toBeTypeOf('number');
  });

  it.skipIf(!asRoot)('never follows a directory link another user planted', () => {
    const shared = tempDir();
    chmodSync(shared, 0o1777);
    const target = tempDir();
    const link = join(shared, 'out');
    symlinkSync(target, link);
    execFileSync('chown', ['-h', `${NOBODY}:${NOBODY}`, link]);
    expect(writeOutputFile(join(link, '123.json'), inventory(1), undefined)).toBeUndefined();
    expect(() => statSync(join(target, '123.json'))).toThrow();
  });
});
