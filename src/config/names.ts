import { warn } from '../platform/index.js';

/**
 * The names of every AIM_* variable, without zod, so the agent can warn about a misspelt one at
 * startup for free. test/config.test.ts checks this list against the schema table.
 */
export const variableNames: readonly string[] = [
  'AIM_DISABLED',
  'AIM_LOG_LEVEL',
  'AIM_STARTUP_LOG',
  'AIM_DISABLED_HOOKS',
  'AIM_OUTPUT',
  'AIM_ESM_LOADER',
  'AIM_API_KEY',
  'AIM_URL',
  'AIM_BASE_URL',
  'AIM_AGENT_ID',
  'AIM_ENVIRONMENT',
  'AIM_AGENT_VERSION',
  'AIM_TAGS',
  'AIM_REPORT_POTENTIAL',
  'AIM_FLUSH_TIMEOUT_MS',
  'AIM_SPOOL_DIR',
  'AIM_PROTOCOL',
  'AIM_AGENT_NAME',
  'AIM_CREDENTIALS_FILE',
  'AIM_PRIVATE_KEY',
  'AIM_CAPABILITIES',
  'AIM_SIGNATURE_ALGORITHM',
  'AIM_HEARTBEAT_INTERVAL_S',
  'AIM_PATHS',
  'AIM_ALLOWLIST',
];

/** Other names of a setting (schema.ts `aliases`), with the variable they stand in for. */
export const aliasOf: Readonly<Record<string, string>> = { AIM_BASE_URL: 'AIM_URL' };

const BOOL = /^(1|0|true|false|yes|no|on|off|disabled)$/i;

/**
 * The values the agent can check at startup without zod, mirroring the schema (schema.ts; the
 * tests hold the two to the same answers): without them a bad AIM_DISABLED, AIM_LOG_LEVEL or
 * AIM_PROTOCOL said nothing unless a key loaded the reporter. Same codes as the schema's
 * warnings, so a process that later loads the reporter says each once. Sensitive values (the key,
 * the private key) are left to the reporter, which loads whenever they are set; AIM_DISABLED to
 * register/startup-settings.ts (the kill switch has its own words).
 */
export const startupChecks: Readonly<Record<string, { valid: (value: string) => boolean; fallback: string }>> = {
  AIM_ESM_LOADER: { valid: (v) => BOOL.test(v), fallback: 'false' },
  AIM_REPORT_POTENTIAL: { valid: (v) => BOOL.test(v), fallback: 'false' },
  AIM_LOG_LEVEL: { valid: (v) => /^(silent|error|warn|info|debug)$/.test(v), fallback: '"warn"' },
  AIM_FLUSH_TIMEOUT_MS: { valid: (v) => /^\d+$/.test(v) && Number(v) <= 60_000, fallback: '2000' },
  AIM_PROTOCOL: { valid: (v) => /^(auto|signed|api-key)$/.test(v), fallback: '"auto"' },
  AIM_CAPABILITIES: { valid: (v) => /^(grant|request|off)$/.test(v), fallback: '"grant"' },
  AIM_SIGNATURE_ALGORITHM: { valid: (v) => /^(ed25519|ml-dsa-(44|65|87)|hybrid|hybrid-ml-dsa-(44|65|87)|ed25519\+ml-dsa-(44|65|87))$/i.test(v), fallback: '"ed25519"' },
  AIM_URL: { valid: isHttpUrl, fallback: '' },
  AIM_BASE_URL: { valid: isHttpUrl, fallback: '' },
  AIM_AGENT_ID: { valid: (v) => v.length <= 255, fallback: '' },
  AIM_AGENT_NAME: { valid: (v) => v.length <= 255, fallback: '' },
};

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * At startup, for free when no AIM_* variable is set: one did-you-mean warning per unknown AIM_*
 * variable, one warning per known one whose value is not valid (startupChecks).
 */
export function checkVariables(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env)) {
    if (!name.startsWith('AIM_')) continue;
    if (!variableNames.includes(name)) {
      const guess = closest(name);
      warn(`AIM-C003-${name}`, `${name} is not an aim setting${guess ? ` (did you mean ${guess}?)` : ''}; it is ignored.`);
      continue;
    }
    const check = startupChecks[name];
    const value = env[name]?.trim();
    if (!check || !value || check.valid(value)) continue;
    // An alias is not read when its variable is set (config.ts): its value changes nothing.
    const primary = aliasOf[name];
    if (primary && env[primary]?.trim()) continue;
    const shown = JSON.stringify(value.slice(0, 80));
    // Without a valid URL or agent the reporter does not start: the schema turns reporting off.
    if (!check.fallback) warn(`AIM-C002-${name}`, `${name} ${shown} is not valid; reporting to AIM is off for this process.`);
    else warn(`AIM-C001-${name}`, `${name} ${shown} is not valid; using the default ${check.fallback}.`);
  }
}

function closest(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of variableNames) {
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
