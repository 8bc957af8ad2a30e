/**
 * The agent loads from V8's code cache: written once per install of aim and V8 version into the
 * user's cache directory, used as it is by later runs, and never in the way: a damaged cache is
 * replaced, a cache directory that cannot be written changes nothing, and Node's own switch
 * NODE_DISABLE_COMPILE_CACHE turns it off.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture, modes, repo, runFixture } from '../helpers/agent-run.js';

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
  const result = await runFixture(fixture('core/capabilities.cjs'), {
    mode,
    // Whatever the machine running the tests has set: the cache is on unless a test turns it off.
    env: { XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: undefined, ...env },
  });
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  expect(result.inventories[0]?.capabilities.map((c) => c.id)).toContain('system:exec');
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
