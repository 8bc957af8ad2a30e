import type { BuiltinRow } from './builtins.js';

/**
 * The families of hooks `AIM_DISABLED_HOOKS` can turn off (like OpenTelemetry's
 * OTEL_NODE_DISABLED_INSTRUMENTATIONS): which builtins are left unpatched and which diagnostics
 * channels unsubscribed. `mcp` is the MCP discovery hooks, wire and SDK layers together.
 */
export interface HookFamily {
  builtins: readonly BuiltinRow['module'][];
  channels: readonly string[];
  description: string;
}

export const hookFamilies = {
  fs: { builtins: ['fs', 'fs/promises'], channels: [], description: 'file:read, file:write, file:delete' },
  child_process: { builtins: ['child_process'], channels: ['child_process'], description: 'system:exec' },
  net: { builtins: ['net'], channels: ['net.client.socket'], description: 'network:connect, network:listen, database port hints' },
  http: {
    builtins: ['http', 'https'],
    channels: ['undici:request:create', 'http.client.request.start'],
    description: 'api:call, ai:model_call (http, https, fetch/undici)',
  },
  sqlite: { builtins: ['sqlite'], channels: [], description: 'db:read, db:write from node:sqlite' },
  mcp: { builtins: [], channels: [], description: 'MCP servers, mcp:tool_use, mcp:resource_read' },
} satisfies Record<string, HookFamily>;

export type HookFamilyName = keyof typeof hookFamilies;

/** `AIM_DISABLED_HOOKS=mcp,net`: the known names, and the ones that are not (for one warning). */
export function parseDisabledHooks(raw: string | undefined): { disabled: HookFamilyName[]; unknown: string[] } {
  const disabled: HookFamilyName[] = [];
  const unknown: string[] = [];
  for (const name of (raw ?? '').split(',').map((n) => n.trim().toLowerCase().replace(/^node:/, ''))) {
    if (!name) continue;
    if (Object.hasOwn(hookFamilies, name)) disabled.push(name as HookFamilyName);
    else unknown.push(name);
  }
  return { disabled: [...new Set(disabled)], unknown };
}

/** What the hooks skip for a set of disabled families. */
export function disabledHookParts(families: readonly HookFamilyName[]): { builtins: Set<string>; channels: Set<string>; mcp: boolean } {
  const builtins = new Set<string>();
  const channels = new Set<string>();
  for (const name of families) {
    const family: HookFamily = hookFamilies[name];
    family.builtins.forEach((b) => builtins.add(b));
    family.channels.forEach((c) => channels.add(c));
  }
  return { builtins, channels, mcp: families.includes('mcp') };
}
