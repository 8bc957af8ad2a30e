import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Bundles the reporter with the inventory and config (CJS, undici and zod inside, as tsup builds
 * dist/reporter.cjs) so fixture programs can run it as child processes before the agent core's
 * dist/register.mjs exists.
 */
let built: Promise<string> | undefined;

export function reporterBundle(): Promise<string> {
  built ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'aim-reporter-bundle-')), 'reporter-test.cjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./collector-bundle-entry.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      logLevel: 'silent',
    });
    return outfile;
  })();
  return built;
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const fixture = (name: string): string => join(repoRoot, 'fixtures', 'report', name);
