import * as fs from 'node:fs';
import * as path from 'node:path';
import type { McpServer } from '../../inventory/index.js';

/**
 * One stable identity per MCP server, the `url` of its record in AIM (unique per organisation,
 * so every process and every restart of the agent names the server the same way):
 *
 * - a remote server: its URL as the inventory keeps it (credentials and query already removed);
 * - a stdio server from an npm package that declares `mcpName` in its package.json (the MCP
 *   registry's name, `io.github.owner/server`): `mcp:<mcpName>`, whatever the launch line
 *   (`npx -y pkg@1.2`, a global bin, `node node_modules/pkg/dist/index.js`);
 * - any other stdio server: `stdio:` and its launch line, secrets redacted, URI-escaped.
 */
export function mcpIdentity(server: McpServer, cwd: string): string {
  if (server.url) return server.url;
  const name = registryName(server, server.cwd ?? cwd);
  if (name) return `mcp:${name}`;
  return `stdio:${encodeURI(server.key)}`.slice(0, 2048);
}

/** `mcpName` of the package the server runs from, if it says. Never throws. */
function registryName(server: McpServer, cwd: string): string | undefined {
  const args = [server.command ?? '', ...(server.args ?? [])];
  for (const arg of args) {
    if (!arg || arg.startsWith('-')) continue;
    const fromFile = path.isAbsolute(arg) || arg.startsWith('.') ? packageOf(path.resolve(cwd, arg)) : undefined;
    const found = fromFile ?? packageByName(arg, cwd);
    if (found) return found;
  }
  return undefined;
}

/** The nearest package.json above a file, within node_modules or the project. */
function packageOf(file: string): string | undefined {
  let dir = path.dirname(file);
  for (let i = 0; i < 8; i++) {
    const name = mcpNameIn(path.join(dir, 'package.json'));
    if (name !== undefined) return name || undefined;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** `@scope/pkg@1.2.3` or `pkg` installed under the working directory's node_modules. */
function packageByName(spec: string, cwd: string): string | undefined {
  const m = /^(@[a-z0-9._-]+\/[a-z0-9._-]+|[a-z0-9._-]+)(?:@[^/]*)?$/i.exec(spec);
  if (!m) return undefined;
  for (let dir = cwd, i = 0; i < 8; i++) {
    const name = mcpNameIn(path.join(dir, 'node_modules', m[1]!, 'package.json'));
    if (name) return name;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** The `mcpName` of a package.json: the name, '' when the file exists without one, undefined when absent. */
function mcpNameIn(file: string): string | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { mcpName?: unknown };
    return typeof pkg.mcpName === 'string' && /^[\w.-]+\/[\w.-]+$/.test(pkg.mcpName) ? pkg.mcpName : '';
  } catch {
    return undefined;
  }
}
