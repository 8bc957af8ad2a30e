import * as z from 'zod/mini';
import { warn } from '../platform/index.js';
import { settings, type Config, type Setting } from './schema.js';

export interface LoadedConfig extends Config {
  /** False when a value that reporting needs was invalid. */
  reportingAllowed: boolean;
}

/**
 * Reads and validates every AIM_* variable. A bad value gives one warning with a stable code
 * and the default; the value of a sensitive variable is never echoed.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const config = { reportingAllowed: true } as LoadedConfig;
  for (const [name, s] of Object.entries(settings) as [keyof Config, Setting<unknown>][]) {
    const raw = readRaw(env, s);
    (config as unknown as Record<string, unknown>)[name] = raw === undefined ? s.default : parse(s, raw, config);
  }
  warnUnknown(env);
  return config;
}

function readRaw(env: NodeJS.ProcessEnv, s: Setting<unknown>): string | undefined {
  for (const name of [s.env, ...(s.aliases ?? [])]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

function parse(s: Setting<unknown>, raw: string, config: LoadedConfig): unknown {
  const result = z.safeParse(s.schema, raw);
  if (result.success) return result.data;
  const shown = s.sensitive ? '(value hidden)' : JSON.stringify(raw.slice(0, 80));
  if (s.onInvalid === 'disable-reporting') {
    config.reportingAllowed = false;
    warn(`AIM-C002-${s.env}`, `${s.env} ${shown} is not valid; reporting to AIM is off for this process.`);
  } else {
    warn(`AIM-C001-${s.env}`, `${s.env} ${shown} is not valid; using the default ${JSON.stringify(s.default)}.`);
  }
  return s.default;
}

const known = new Set(Object.values(settings as Record<string, Setting<unknown>>).flatMap((s) => [s.env, ...(s.aliases ?? [])]));

function warnUnknown(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env)) {
    if (!name.startsWith('AIM_') || known.has(name)) continue;
    const guess = closest(name);
    warn(`AIM-C003-${name}`, `${name} is not an aim setting${guess ? `; did you mean ${guess}?` : ''}.`);
  }
}

function closest(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
