/**
 * The settings the agent itself reads at startup, raw, before zod (which loads only with the
 * reporter): each is unset in nearly every process, so an unset one costs one property read.
 * Bad values get the same warning codes as the schema's (config/config.ts), once per process.
 */
import { parseDisabledHooks, type HookFamilyName } from '../catalog/index.js';
import { warn } from '../platform/index.js';

/** AIM_DISABLED_HOOKS=mcp,net: the hook families left alone; unknown names warn once. */
export function disabledHooks(env: NodeJS.ProcessEnv = process.env): HookFamilyName[] {
  const raw = env.AIM_DISABLED_HOOKS;
  if (!raw?.trim()) return [];
  const { disabled, unknown } = parseDisabledHooks(raw);
  if (unknown.length) {
    warn(
      'AIM-C001-AIM_DISABLED_HOOKS',
      `AIM_DISABLED_HOOKS names ${unknown.map((n) => JSON.stringify(n.slice(0, 40))).join(', ')}, not a hook family ` +
        '(fs, child_process, net, http, sqlite, mcp); ignored.',
    );
  }
  return disabled;
}

const BOOLEAN = /^(1|0|true|false|yes|no|on|off|disabled)$/i;

/**
 * AIM_DISABLED is the kill switch: register.ts turns the agent off for an on value and runs it for
 * anything else. Anything else that is not a boolean is a typo to say out loud (`AIM_DISABLED=ture`
 * leaves the agent running).
 */
export function warnIfKillSwitchIsNotBoolean(env: NodeJS.ProcessEnv = process.env): void {
  const raw = env.AIM_DISABLED?.trim();
  if (!raw || BOOLEAN.test(raw)) return;
  warn(
    'AIM-C001-AIM_DISABLED',
    `AIM_DISABLED ${JSON.stringify(raw.slice(0, 40))} is not a boolean (1/0, true/false, yes/no, on/off); the agent stays on.`,
  );
}
