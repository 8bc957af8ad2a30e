/**
 * One code-cache directory per test run (see src/register/load-agent.ts): the agent's children
 * must not share V8 caches with other runs, other checkouts or the user's own programs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const cacheHome = mkdtempSync(join(tmpdir(), 'aim-test-cache-'));
  process.env.XDG_CACHE_HOME = cacheHome;
  return () => rmSync(cacheHome, { recursive: true, force: true });
}
