import * as z from 'zod/mini';
import { warn } from '../platform/index.js';
import { checkVariables } from './names.js';
import { settings, type Config, type Setting } from './schema.js';

export interface LoadedConfig extends Config {
  /** False when a value that reporting needs was invalid. */
  reportingAllowed: boolean;
  /** The variables whose values were not valid (their defaults are used): `aim doctor` names them. */
  invalid: string[];
  /** The variable each given value came from (an alias too), so messages name what the user set. */
  from: Partial<Record<keyof Config, string>>;
}

/**
 * Reads and validates every AIM_* variable. A bad value gives one warning with a stable code
 * and the default; the value of a sensitive variable is never echoed.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const config = { reportingAllowed: true, invalid: [] as string[], from: {} } as LoadedConfig;
  for (const [name, s] of Object.entries(settings) as [keyof Config, Setting<unknown>][]) {
    const raw = readRaw(env, s);
    if (raw) config.from[name] = raw.env;
    (config as unknown as Record<string, unknown>)[name] = raw === undefined ? s.default : parse(s, raw.value, config, raw.env);
  }
  checkVariables(env);
  return config;
}

function readRaw(env: NodeJS.ProcessEnv, s: Setting<unknown>): { env: string; value: string } | undefined {
  for (const name of [s.env, ...(s.aliases ?? [])]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { env: name, value: value.trim() };
  }
  return undefined;
}

function parse(s: Setting<unknown>, raw: string, config: LoadedConfig, given: string): unknown {
  const result = z.safeParse(s.schema, raw);
  if (result.success) return result.data;
  config.invalid.push(given);
  const shown = s.sensitive ? '(value hidden)' : JSON.stringify(raw.slice(0, 80));
  // Named after the variable that was set (an alias too), with the startup check's code for it
  // (names.ts): one bad value, one warning.
  if (s.onInvalid === 'disable-reporting') {
    config.reportingAllowed = false;
    warn(`AIM-C002-${given}`, `${given} ${shown} is not valid; reporting to AIM is off for this process.`);
  } else {
    warn(`AIM-C001-${given}`, `${given} ${shown} is not valid; using the default ${JSON.stringify(s.default)}.`);
  }
  return s.default;
}
