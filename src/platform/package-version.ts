import { readFileSync } from 'node:fs';
import { quietly } from './quiet.js';

const versions = new Map<string, string | undefined>();

/** The version in `<dir>/package.json`, read once per directory; undefined when unreadable. */
export function packageVersion(dir: string): string | undefined {
  if (versions.has(dir)) return versions.get(dir);
  let version: string | undefined;
  try {
    const parsed = JSON.parse(quietly(() => readFileSync(`${dir}/package.json`, 'utf8'))) as { version?: unknown };
    if (typeof parsed.version === 'string') version = parsed.version.slice(0, 40);
  } catch {
    version = undefined;
  }
  versions.set(dir, version);
  return version;
}
