/**
 * `aim/register`: the preload entry, for `node --import aim/register`, `--require aim/register`
 * and NODE_OPTIONS. It stays tiny and loads nothing of ours until it knows it should: the kill
 * switch, one agent per thread (a worker thread's agent only forwards what it sees to the main
 * thread's, see src/register/workers.ts). Then it loads the one shared copy of the
 * agent (dist/agent.cjs), whichever way it came in. It never throws into the application.
 */
import { loadAgent } from './src/register/load-agent.js';

const AGENT_KEY = Symbol.for('aim.agent');

// Unset in nearly every process: no pattern is compiled for an empty value.
function disabled(): boolean {
  const off = process.env.AIM_DISABLED?.trim();
  const on = process.env.AIM_ENABLED?.trim();
  return Boolean((off && /^(1|true|yes|on)$/i.test(off)) || (on && /^(0|false|no|off|disabled)$/i.test(on)));
}

function activate(): void {
  try {
    if (disabled()) return;
    const g = globalThis as { [AGENT_KEY]?: unknown };
    if (g[AGENT_KEY]) return; // Activated already: the flag twice, or both --import and --require.
    const activation = __AIM_DOOR__;
    // import.meta.dirname is __dirname in the CommonJS build (tsup.config.ts): no URL to parse.
    const directory = import.meta.dirname;
    g[AGENT_KEY] = { version: __AIM_VERSION__, path: directory, activation };
    loadAgent(directory, __AIM_VERSION__).start(activation);
  } catch (error) {
    try {
      const reason = error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
      process.stderr.write(`aim warn AIM-E001: the agent could not start (${reason}); the application runs without it.\n`);
    } catch {
      // Nothing left to tell.
    }
  }
}

declare const __AIM_VERSION__: string;
/** 'import' in register.mjs, 'require' in register.cjs (tsup.config.ts). */
declare const __AIM_DOOR__: 'import' | 'require';
activate();
