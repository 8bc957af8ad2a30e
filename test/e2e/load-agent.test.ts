/**
 * The agent loads from V8's code cache: written once per install of aim and V8 version into the
 * user's cache directory, used as it is by later runs, and never in the way: a damaged cache is
 * replaced, a cache directory that cannot be written changes nothing, and Node's own switch
 * NODE_DISABLE_COMPILE_CACHE turns it off.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture, inventoryOf, modes, node, repo, runFixture } from '../helpers/agent-run.js';

let cacheHome: string;
beforeEach(() => {
  cacheHome = mkdtempSync(join(tmpdir(), 'aim-cache-'));
});
afterEach(() => {
  rmSync(cacheHome, { recursive: true, force: true });
});

const cacheDir = () => join(cacheHome, 'aim');
const cacheFiles = () => (existsSync(cacheDir()) && statSync(cacheDir()).isDirectory() ? readdirSync(cacheDir()) : []);

async function runApp(mode: (typeof modes)[number], env: Record<string, string | undefined> = {}) {
  const app = fixture('core/capabilities.cjs');
  const result = await runFixture(app, {
    mode,
    // Whatever the machine running the tests has set: the cache is on unless a test turns it off.
    env: { XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: undefined, ...env },
  });
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  // The app's own inventory: under NODE_OPTIONS the node it starts writes one too, in no set order.
  expect(inventoryOf(result, app)?.capabilities.map((c) => c.id)).toContain('system:exec');
  return result;
}

describe.each(modes)('code cache, activation through %s', (mode) => {
  it('is written once, private, then used as it is', async () => {
    await runApp(mode);
    const [name, ...others] = cacheFiles();
    expect(others).toEqual([]);
    expect(name).toMatch(/^agent-.+-v8-.+\.cache$/);
    const file = join(cacheDir(), name!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(cacheDir()).mode & 0o777).toBe(0o700);
    const first = readFileSync(file);
    await runApp(mode);
    // Accepted by V8: a rejected cache would have been written anew.
    expect(readFileSync(file).equals(first)).toBe(true);
    expect(cacheFiles()).toEqual([name]);
  });

  it('replaces a damaged cache, and the app never notices', async () => {
    await runApp(mode);
    const file = join(cacheDir(), cacheFiles()[0]!);
    writeFileSync(file, 'not a code cache');
    await runApp(mode);
    expect(readFileSync(file, 'utf8')).not.toBe('not a code cache');
  });
});

describe('code cache, two installs of aim on one machine', () => {
  let other: string;
  beforeEach(() => {
    // Same version, same bytes, another path: a second app's node_modules, a global install.
    other = mkdtempSync(join(tmpdir(), 'aim-install-'));
    cpSync(join(repo, 'dist'), join(other, 'dist'), { recursive: true });
  });
  afterEach(() => {
    rmSync(other, { recursive: true, force: true });
  });
  const runOther = async () => {
    const result = await runFixture(fixture('core/echo.cjs'), {
      mode: 'none',
      nodeArgs: ['--import', join(other, 'dist/register.mjs')],
      env: { XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: undefined },
    });
    expect(result.stderr).toBe('');
  };

  it("each has its own cache, and neither sees its own calls as the app's", async () => {
    // With one cache for both, V8 took the other's, and on Node 20 the agent's frames carried the
    // other path: its own file reads became the app's.
    await runOther();
    for (let run = 0; run < 2; run++) {
      const result = await runApp('import');
      const locations = result.inventories[0]!.capabilities.flatMap((c) => c.evidence.map((e) => e.location ?? ''));
      expect(locations.filter((l) => l.includes('/dist/'))).toEqual([]);
    }
    expect(cacheFiles()).toHaveLength(2);
  });

  it("a rebuild in place replaces that install's cache and leaves the others", async () => {
    await runApp('import');
    const ours = cacheFiles()[0]!;
    const unrelated = 'agent-0.0.0-00000000-00000000-v8-0-x64.cache';
    writeFileSync(join(cacheDir(), unrelated), 'another install');
    await runOther();
    const [built] = cacheFiles().filter((f) => f !== ours && f !== unrelated);
    writeFileSync(join(other, 'dist/agent.cjs'), `${readFileSync(join(other, 'dist/agent.cjs'), 'utf8')}\n// rebuilt\n`);
    await runOther();
    const rebuilt = cacheFiles().filter((f) => f !== ours && f !== unrelated);
    expect(rebuilt).toHaveLength(1);
    expect(rebuilt[0]).not.toBe(built);
    expect(cacheFiles()).toEqual(expect.arrayContaining([ours, unrelated]));
  });
});

describe('code cache, where it cannot or must not be', () => {
  it('a cache directory that cannot be made: the agent works, nothing is said', async () => {
    // A file where the directory should be: no mkdir succeeds, not even as root.
    writeFileSync(cacheDir(), 'in the way');
    await runApp('import');
    expect(readFileSync(cacheDir(), 'utf8')).toBe('in the way');
  });

  it('NODE_DISABLE_COMPILE_CACHE: no cache is read or written', async () => {
    await runApp('require', { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(cacheFiles()).toEqual([]);
  });
});

/**
 * Attacks: V8 accepts a code cache made from any source of the same length, so whoever can write
 * the cache runs code in every process that loads aim. Another local user is simulated by
 * ownership (chown to `nobody`) and by modes that let group or others write.
 */
describe('code cache, planted by someone else', () => {
  const NOBODY = 65534;
  const canChown = process.getuid?.() === 0;

  /** A cache, accepted by V8 for dist/agent.cjs, whose code only says PWNED on stderr. */
  function foreignCache(): Buffer {
    const agent = join(repo, 'dist/agent.cjs');
    const script = `
      const vm = require('node:vm');
      const length = require('node:fs').readFileSync(${JSON.stringify(agent)}, 'utf8').length;
      const evil = "(function (exports, require, module) { process.stderr.write('PWNED\\\\n'); module.exports.start = () => {}; })";
      const source = evil + ' '.repeat(length - evil.length);
      const compiled = new vm.Script(source, { filename: ${JSON.stringify(agent)} });
      compiled.runInThisContext()({}, require, { exports: {} });
      process.stdout.write(compiled.createCachedData().toString('base64'));`;
    return Buffer.from(execFileSync(node, ['-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), 'base64');
  }

  /** Runs once to learn the cache's name, then puts the foreign cache there. */
  async function plant(): Promise<string> {
    await runApp('import');
    const file = join(cacheDir(), cacheFiles()[0]!);
    writeFileSync(file, foreignCache());
    return file;
  }

  const runPlain = (env: Record<string, string | undefined> = {}) =>
    runFixture(fixture('core/capabilities.cjs'), { mode: 'import', env: { XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: undefined, ...env } });

  it('control: the planted bytes do run when they sit in the user\'s own private cache', async () => {
    // The attack is real: this is exactly what a writable cache directory hands to another user.
    await plant();
    const result = await runPlain();
    expect(result.stderr).toContain('PWNED');
  });

  it.skipIf(!canChown)("a cache directory and file owned by another user are not read, and not written", async () => {
    const file = await plant();
    chownSync(cacheDir(), NOBODY, NOBODY);
    chownSync(file, NOBODY, NOBODY);
    const planted = readFileSync(file);
    await runApp('import');
    expect(readFileSync(file).equals(planted)).toBe(true);
  });

  it.skipIf(!canChown)("a file owned by another user in the user's own directory is not read", async () => {
    const file = await plant();
    chownSync(file, NOBODY, NOBODY);
    await runApp('require');
  });

  it('a cache directory group or others can write is not read', async () => {
    await plant();
    chmodSync(cacheDir(), 0o777);
    await runApp('import');
    chmodSync(cacheDir(), 0o770);
    await runApp('node-options');
  });

  it('a cache file others can write is not read', async () => {
    const file = await plant();
    chmodSync(file, 0o666);
    await runApp('import');
  });

  it('a symlinked cache directory or file is not followed', async () => {
    const file = await plant();
    const elsewhere = mkdtempSync(join(tmpdir(), 'aim-elsewhere-'));
    try {
      renameSync(cacheDir(), join(elsewhere, 'aim'));
      symlinkSync(join(elsewhere, 'aim'), cacheDir());
      await runApp('import');
      rmSync(cacheDir());
      mkdirSync(cacheDir(), { mode: 0o700 });
      symlinkSync(join(elsewhere, 'aim', basename(file)), file);
      await runApp('import');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('a FIFO planted at the cache name does not stall the app', async () => {
    await runApp('import');
    const file = join(cacheDir(), cacheFiles()[0]!);
    rmSync(file);
    execFileSync('mkfifo', [file]);
    await runApp('import');
  });
});

describe('code cache under /proc (Node\'s recursive mkdir loops there for ever)', () => {
  it.each([
    ['XDG_CACHE_HOME', { XDG_CACHE_HOME: '/proc/aim-x/cache' }],
    ['HOME', { XDG_CACHE_HOME: undefined, HOME: '/proc/aim-x' }],
  ])('%s under /proc: the app runs and exits', async (_name, env) => {
    const result = await runFixture(fixture('core/capabilities.cjs'), { mode: 'import', env: { NODE_DISABLE_COMPILE_CACHE: undefined, ...env }, timeoutMs: 20_000 });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
  });
});
