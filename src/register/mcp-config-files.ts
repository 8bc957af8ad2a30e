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
import type { McpLaunch, McpServerSeen } from '../observations/index.js';
import { cleanServerFacts, quietly } from '../platform/index.js';

type ConfigFile = NonNullable<McpServerSeen['configFile']>;

/** The servers a config file's text declares (mcp-config-parse.ts, in the MCP layer's bundle). */
export type ParseConfig = (text: string) => McpLaunch[];

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
 * calls it once per process; the parser (and the MCP layer with it) loads only for a file that
 * declares servers.
 */
export function scanConfigFiles(start: StartPlace, scan: ConfigScan): void {
  try {
    scanEach(start, scan);
  } catch (error) {
    scan.internalError(error);
  }
}

/** What the scan needs from the agent: the parser, and where servers and errors go. */
export interface ConfigScan {
  parse: () => ParseConfig | undefined;
  found: (server: McpServerSeen) => void;
  internalError: (error: unknown) => void;
}

function scanEach(start: StartPlace, { parse, found }: ConfigScan): void {
  for (const { path, configFile } of configPaths(start)) {
    let text: string;
    try {
      text = quietly(() => readFileSync(path, 'utf8'));
    } catch {
      continue;
    }
    if (!text.includes('"mcpServers"')) continue;
    // Names in a config file are anyone's text: cleaned like what a server says (src/platform/sanitize.ts).
    for (const server of parse()?.(text) ?? []) found({ kind: 'mcp-server', evidence: 'config-file', configFile, ...cleanServerFacts(server) });
  }
}
