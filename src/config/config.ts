import * as z from 'zod/mini';
import { warn } from '../platform/index.js';
import { warnUnknownVariables } from './names.js';
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
  warnUnknownVariables(env);
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
