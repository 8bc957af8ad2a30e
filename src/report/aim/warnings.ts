import { warn } from '../../platform/index.js';

/**
 * What the reporter says on stderr about an answer of AIM, as one table: a stable code and plain
 * words with what to do. A code ending in `-` gets the route appended, so each route warns once.
 */
export interface WarningContext {
  /** `capabilities fs:read`, `detection/report (3)`, ... */
  describe: string;
  /** The first word of `describe`. */
  route: string;
  status?: number | string;
  reason?: string;
  /** AIM_AGENT_ID as given. */
  agent: string;
  tries?: number;
}

export type Situation = 'dropped' | 'keyRefused' | 'otherOrg' | 'unknownAgent' | 'misdirected' | 'gaveUp' | 'unreachable';

export const outcomeWarnings: Record<Situation, { code: string; text: (c: WarningContext) => string }> = {
  dropped: { code: 'AIM-R005-', text: (c) => `AIM refused ${c.describe} (${c.status || 'not sent'}): ${c.reason}. Dropped.` },
  keyRefused: {
    code: 'AIM-R004',
    text: (c) =>
      `AIM refused the API key (HTTP ${c.status}); reporting is off for this process. ` +
      'Check AIM_API_KEY: it may be mistyped, disabled or expired (create a new one in AIM under API keys).',
  },
  otherOrg: {
    code: 'AIM-R004',
    text: (c) =>
      `AIM refused the API key (HTTP ${c.status}); reporting is off for this process. ` +
      'Check that AIM_AGENT_ID names an agent of the organisation of AIM_API_KEY.',
  },
  unknownAgent: {
    code: 'AIM-R003',
    text: (c) =>
      `AIM has no agent ${JSON.stringify(c.agent.slice(0, 80))} (HTTP ${c.status}); reporting is off for this process. ` +
      'Set AIM_AGENT_ID to the id or name of an agent registered in AIM.',
  },
  misdirected: {
    code: 'AIM-R016',
    text: (c) =>
      `AIM answered the agent read with HTTP ${c.status} (a redirect or a status AIM does not use); reporting is off for this process. ` +
      'Check AIM_URL: it must be the AIM server itself (aim never follows a redirect with the key).',
  },
  gaveUp: { code: 'AIM-R008-', text: (c) => `AIM kept failing ${c.describe} (${c.status}) after ${c.tries} tries; dropped for this process.` },
  unreachable: { code: 'AIM-R006', text: (c) => `AIM is not reachable (${c.status}); aim keeps what it has to send and tries again later.` },
};

/**
 * One warning for a situation; `message`: the protocol generation's own words, when it has them.
 * `redact` takes the secrets out of anything that could echo them.
 */
export function warnOutcome(situation: Situation, context: WarningContext, redact: (text: string) => string, message?: string): void {
  const row = outcomeWarnings[situation];
  const code = row.code.endsWith('-') ? row.code + context.route : row.code;
  warn(code, message ?? redact(row.text(context)));
}
