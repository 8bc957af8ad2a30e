/**
 * The startup line (like dd-trace's startup log): at `info` and `debug` only, one line on stderr
 * per process saying that the agent is on and how (version, Node, hook mode, where reports go,
 * what is off and why). `AIM_STARTUP_LOG=false` turns it off. Nothing here runs at the default
 * level (`warn`) but one string comparison.
 */
import { launcherOf } from '../catalog/index.js';
import { log, logs } from '../platform/index.js';
import type { HookSetup } from '../hooks/index.js';

export interface StartupFacts {
  version: string;
  activation: string;
  setup: HookSetup;
  preloadMs: number;
  disabledHooks: readonly string[];
}

export function logStartup(facts: StartupFacts, env: NodeJS.ProcessEnv = process.env): void {
  if (!logs('info') || isOff(env.AIM_STARTUP_LOG)) return;
  log('info', 'AIM-S001', startupLine(facts, env));
}

export function startupLine(facts: StartupFacts, env: NodeJS.ProcessEnv): string {
  const parts = [
    `aim ${facts.version} on Node ${process.version} (pid ${process.pid}, --${facts.activation})`,
    `hooks ${facts.setup.hookMode}, visibility ${facts.setup.visibility}`,
    `reports: ${destinations(env).join(', ')}`,
  ];
  const off = offParts(facts, env);
  if (off.length) parts.push(`off: ${off.join('; ')}`);
  parts.push(`started in ${facts.preloadMs} ms`);
  return parts.join('; ');
}

/** Where the inventory goes. The key is never shown; the URL only as its origin (no credentials). */
function destinations(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  const key = env.AIM_API_KEY?.trim();
  const ownKey = env.AIM_AGENT_ID?.trim() && env.AIM_PRIVATE_KEY?.trim();
  if (key || ownKey) {
    const agent = env.AIM_AGENT_ID?.trim() || env.AIM_AGENT_NAME?.trim() || '(name from package.json)';
    out.push(`AIM at ${origin(env.AIM_URL?.trim() || env.AIM_BASE_URL?.trim() || 'http://127.0.0.1:8080')} as agent ${JSON.stringify(agent.slice(0, 80))}`);
  }
  const output = env.AIM_OUTPUT?.trim();
  if (output) out.push(`AIM_OUTPUT ${output}`);
  if (out.length === 0) out.push('nowhere (no AIM_API_KEY, no AIM_OUTPUT; the in-process API still works)');
  return out;
}

function offParts(facts: StartupFacts, env: NodeJS.ProcessEnv): string[] {
  const off: string[] = [];
  const launcher = launcherOf(process.argv[1], process.execArgv);
  if (launcher) off.push(`launcher ${launcher}: its own activity is not reported`);
  if (facts.disabledHooks.length) off.push(`hooks ${facts.disabledHooks.join(',')} (AIM_DISABLED_HOOKS)`);
  if (facts.setup.hookMode === 'cjs-only') off.push('ES-module packages (no synchronous module hooks on this Node; AIM_ESM_LOADER=1 adds the async loader)');
  if (env.AIM_CAPABILITIES?.trim() === 'off') off.push('capabilities to AIM (AIM_CAPABILITIES=off)');
  return off;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(AIM_URL is not a URL)';
  }
}

/** AIM_STARTUP_LOG is on unless it says off (the same words the schema reads as off). */
function isOff(value: string | undefined): boolean {
  return Boolean(value && /^(0|false|no|off|disabled)$/i.test(value.trim()));
}
