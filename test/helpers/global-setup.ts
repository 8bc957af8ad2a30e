/**
 * Per test run: one code-cache directory (see src/register/load-agent.ts), so the agent's children
 * share V8 caches with no other run, checkout or the user's own programs; and one temporary
 * directory for everything the tests and their child processes make (TMPDIR, which os.tmpdir()
 * reads), removed at the end, so a run leaves nothing behind in /tmp. It is made like /tmp
 * (world-writable, sticky): the tests that play another local user need that.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const runTmp = mkdtempSync(join(tmpdir(), 'aim-test-run-'));
  chmodSync(runTmp, 0o1777);
  const cacheHome = mkdtempSync(join(runTmp, 'cache-'));
  process.env.TMPDIR = runTmp;
  process.env.XDG_CACHE_HOME = cacheHome;
  return () => rmSync(runTmp, { recursive: true, force: true });
}
