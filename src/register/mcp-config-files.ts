/**
 * MCP servers declared in config files: `.mcp.json` in the app's directory and the Claude Desktop
 * config. Not a hook: a file read by the agent, once, when the inventory is first read (its
 * catch-up before a snapshot), so a process nobody reads the inventory of never opens them. Only a
 * declaration, never a connection (evidence `config-file`: detectionMethod `claude_config`, low
 * confidence), keyed like runtime servers (launch line or URL) so a runtime connection to the same
 * server confirms the same entry and nothing else merges with it. `env` and `headers` are never read.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { httpKey, internalError, stdioKey } from '../hooks/index.js';
import { observe, type McpLaunch, type McpServerSeen, type McpTransport } from '../observations/index.js';
import { cleanUrl, quietly, redactArgs, redactCommand } from '../platform/index.js';

type ConfigFile = NonNullable<McpServerSeen['configFile']>;
type LaunchFacts = McpLaunch & { name: string };

/** Where the program started: its directory and its entry file, as they were at startup. */
export interface StartPlace {
  directory: string;
  entry: string | undefined;
}

/** The config files to look at, most specific first: `.mcp.json` beside the entry file and in the start directory, then Claude Desktop's. */
export function configPaths({ directory: startDirectory, entry }: StartPlace, env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): { path: string; configFile: ConfigFile }[] {
  const paths: { path: string; configFile: ConfigFile }[] = [];
  const dirs = new Set<string>();
  if (entry) dirs.add(dirname(entry));
  if (startDirectory) dirs.add(startDirectory);
  for (const dir of dirs) paths.push({ path: join(dir, '.mcp.json'), configFile: 'project' });
  const home = env.HOME || env.USERPROFILE || safeHomedir();
  let desktop: string | undefined;
  if (platform === 'darwin' && home) desktop = join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
  else if (platform === 'win32' && env.APPDATA) desktop = join(env.APPDATA, 'Claude', 'claude_desktop_config.json');
  else if (home) desktop = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'Claude', 'claude_desktop_config.json');
  if (desktop) paths.push({ path: desktop, configFile: 'claude-desktop' });
  return paths;
}

function safeHomedir(): string | undefined {
  try {
    // node:os on demand: loading it at startup costs every process 0.3 ms, for a scan done later.
    return (require('node:os') as typeof import('node:os')).homedir();
  } catch {
    return undefined;
  }
}

/**
 * Reads the config files; never throws. Where the program started, as it was then: the read comes
 * later (the first read of the inventory), after any chdir or change to process.argv. The agent
 * calls it once per process.
 */
export function scanConfigFiles(start: StartPlace): void {
  try {
    scanEach(start);
  } catch (error) {
    internalError(error);
  }
}

function scanEach(start: StartPlace): void {
  for (const { path, configFile } of configPaths(start)) {
    let text: string;
    try {
      text = quietly(() => readFileSync(path, 'utf8'));
    } catch {
      continue;
    }
    for (const server of serversInConfig(text)) observe({ kind: 'mcp-server', evidence: 'config-file', configFile, ...server });
  }
}

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
      const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
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
