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
  'AIM_HEARTBEAT_INTERVAL_S',
  'AIM_PATHS',
  'AIM_ALLOWLIST',
];

/** One did-you-mean warning per unknown AIM_* variable. */
export function warnUnknownVariables(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env)) {
    if (!name.startsWith('AIM_') || variableNames.includes(name)) continue;
    const guess = closest(name);
    warn(`AIM-C003-${name}`, `${name} is not an aim setting${guess ? ` (did you mean ${guess}?)` : ''}; it is ignored.`);
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
