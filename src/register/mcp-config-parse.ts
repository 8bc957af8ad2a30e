/**
 * The servers an MCP config file declares, as launch facts keyed like the servers the hooks see
 * (launch line or URL, secrets redacted). Part of the MCP layer's bundle (mcp-layer.ts): it needs
 * the layer's naming. `env` and `headers` are never read.
 */
import { httpKey, stdioKey } from '../hooks/mcp/naming.js';
import type { McpLaunch, McpTransport } from '../observations/index.js';
import { cleanUrl, redactArgs, redactCommand } from '../platform/index.js';

type LaunchFacts = McpLaunch & { name: string };

/** The servers a config declares (`{"mcpServers": {name: {command,args} | {url,type}}}`). */
export function serversInConfig(text: string): LaunchFacts[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const table = (parsed as { mcpServers?: unknown } | null)?.mcpServers;
  if (!table || typeof table !== 'object') return [];
  const out: LaunchFacts[] = [];
  for (const [label, value] of Object.entries(table as Record<string, unknown>).slice(0, 100)) {
    const entry = value as { command?: unknown; args?: unknown; cwd?: unknown; url?: unknown; type?: unknown } | null;
    if (!entry || typeof entry !== 'object') continue;
    const name = label.slice(0, 200);
    if (typeof entry.command === 'string') {
      // Arguments are strings; anything else (an object whose `toString` is a number throws in String()) is not one.
      const args = Array.isArray(entry.args) ? entry.args.slice(0, 256).filter((a): a is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof a)).map(String) : [];
      out.push({
        key: stdioKey(entry.command, args),
        name,
        transport: 'stdio',
        command: redactCommand(entry.command),
        args: redactArgs(args),
        ...(typeof entry.cwd === 'string' ? { cwd: entry.cwd } : {}),
      });
    } else if (typeof entry.url === 'string') {
      const url = cleanUrl(entry.url);
      if (!url) continue;
      const type = typeof entry.type === 'string' ? entry.type.toLowerCase() : '';
      const transport: McpTransport =
        type === 'sse' || (!type && /\/sse\/?$/.test(url)) ? 'sse' : type === 'ws' || type === 'websocket' || /^wss?:/.test(url) ? 'websocket' : 'streamable-http';
      out.push({ key: httpKey(url), name, transport, url });
    }
  }
  return out;
}
