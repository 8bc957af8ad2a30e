import { readFileSync } from 'node:fs';
import { quietly } from '../platform/index.js';

/**
 * AIM_ALLOWLIST: a local file naming the capabilities a program may use. Three shapes are read:
 * a JSON array of ids (`["file:read", "api:call"]`), `{ "capabilities": [...] }`, or the output of
 * `aim policy --json` (its `aim.capabilities`), so the policy a run produced is the allow-list.
 */
export function readAllowList(file: string): ReadonlySet<string> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(quietly(() => readFileSync(file, 'utf8')));
  } catch (error) {
    return `cannot read the allow-list ${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
  const list = Array.isArray(parsed) ? parsed : listIn(parsed, 'capabilities') ?? listIn((parsed as { aim?: unknown } | null)?.aim, 'capabilities');
  if (!Array.isArray(list) || !list.every((id) => typeof id === 'string' && /^[a-z][a-z0-9]*:[a-z][a-z0-9_]*$/.test(id))) {
    return `the allow-list ${file} is not a list of capability ids (["file:read", ...], {"capabilities": [...]}, or aim policy --json output)`;
  }
  return new Set(list as string[]);
}

function listIn(value: unknown, key: string): unknown {
  return value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}
