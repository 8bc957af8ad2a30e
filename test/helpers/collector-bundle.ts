import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Bundles the reporter with the inventory and config (CJS, zod inside, as tsup builds
 * dist/reporter.cjs) so fixture programs can run it as child processes before the agent core's
 * dist/register.mjs exists.
 */
const built = new Map<string, Promise<string>>();

export const reporterBundle = (): Promise<string> => bundle('./collector-bundle-entry.ts');
export const cliBundle = (): Promise<string> => bundle('./collector-cli-entry.ts');

function bundle(entry: string): Promise<string> {
  let done = built.get(entry);
  if (done) return done;
  done = (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'aim-test-bundle-')), 'bundle.cjs');
    await build({
      entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      logLevel: 'silent',
    });
    return outfile;
  })();
  built.set(entry, done);
  return done;
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const fixture = (name: string): string => join(repoRoot, 'fixtures', 'report', name);
