/**
 * Identity and naming of MCP servers. A server is keyed by what the client connected to (the
 * launch line or the URL, secrets redacted); its name is a label: `serverInfo.name` once the
 * handshake was seen, else derived here from the package in the command or from the URL's host.
 */
import { packageOfPath } from '../caller.js';
import { cleanUrl, redactArgs, redactCommand } from '../../platform/index.js';

/** Package runners: the first positional argument after them is the package that runs. */
const RUNNERS: Record<string, string[] | undefined> = {
  npx: [],
  pnpx: [],
  bunx: [],
  uvx: [],
  'npm-exec': [],
  npm: ['exec', 'x'],
  pnpm: ['dlx', 'exec'],
  yarn: ['dlx', 'exec'],
  bun: ['x'],
  pipx: ['run'],
  uv: ['run', 'tool'],
  deno: ['run'],
  docker: ['run'],
  podman: ['run'],
};

/** Interpreters: the first positional argument is a script, whose package or file names the server. */
const INTERPRETERS = /^(node|nodejs|bun|deno|tsx|ts-node|python[0-9.]*|python|ruby|php|java)$/;

/** Flags of runners and interpreters that take a value (skip the value too). */
const FLAGS_WITH_VALUE = new Set([
  '-p',
  '--package',
  '-r',
  '--require',
  '--import',
  '--loader',
  '-e',
  '--eval',
  '--from',
  '--with',
  '-m',
  '--cwd',
  '-C',
  '--name',
  '-v',
  '--volume',
  '--env',
  '--env-file',
  '--network',
  '--entrypoint',
  '-w',
  '--workdir',
  '--python',
  '--spec',
]);

export function basename(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** `[REDACTED]`-safe, shell-like join: the key of a stdio server. */
export function stdioKey(command: string, args: readonly string[]): string {
  return [redactCommand(command), ...redactArgs(args)].map(quote).join(' ');
}

function quote(word: string): string {
  return word === '' || /[\s"'\\]/.test(word) ? JSON.stringify(word) : word;
}

/** The key of an HTTP server: its URL without credentials, query or fragment. */
export function httpKey(url: string): string {
  return cleanUrl(url) ?? url;
}

/**
 * A readable name for a package: `@modelcontextprotocol/server-filesystem@1.2` → `filesystem`,
 * `mcp-server-git` → `git`, `@notionhq/notion-mcp-server` → `notion`.
 */
export function nameFromPackage(spec: string): string {
  let name = spec.trim();
  // Drop a version or tag: `pkg@1.2.3`, `@scope/pkg@latest`, `pkg==1.0`.
  const at = name.indexOf('@', name.startsWith('@') ? 1 : 0);
  if (at > 0) name = name.slice(0, at);
  name = name.replace(/[=<>~!].*$/, '');
  // Docker images: `ghcr.io/github/github-mcp-server:latest` → `github-mcp-server`.
  name = name.replace(/:[^/]*$/, '');
  name = basename(name);
  const stripped = name
    .replace(/^(mcp[-_]server[-_]|server[-_]mcp[-_]|mcp[-_]|server[-_])/i, '')
    .replace(/([-_]mcp[-_]server|[-_]mcp|[-_]server)$/i, '');
  return stripped || name;
}


const GENERIC_FILES = /^(index|main|server|cli|app|start|run|stdio|mcp)$/i;
const GENERIC_DIRS = /^(dist|build|lib|src|bin|out|esm|cjs|\.|\.\.)$/i;

function nameFromScript(script: string): string {
  const pkg = packageOfPath(script);
  if (pkg) return nameFromPackage(pkg);
  const parts = script.replace(/\\/g, '/').split('/').filter(Boolean);
  const file = (parts.pop() ?? script).replace(/\.(m?[jt]s|c[jt]s|py|rb|php|jar)$/i, '');
  if (!GENERIC_FILES.test(file)) return nameFromPackage(file);
  while (parts.length > 0) {
    const dir = parts.pop()!;
    if (!GENERIC_DIRS.test(dir)) return nameFromPackage(dir);
  }
  return file;
}

/** The first positional argument, skipping flags (and the values of flags that take one). */
function firstPositional(args: readonly string[], from = 0): number {
  for (let i = from; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return i + 1 < args.length ? i + 1 : -1;
    if (arg.startsWith('-')) {
      if (!arg.includes('=') && FLAGS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    return i;
  }
  return -1;
}

/**
 * A name derived from the launch line, before the server has named itself:
 * `npx -y @modelcontextprotocol/server-filesystem /tmp` → `filesystem`,
 * `node node_modules/@modelcontextprotocol/server-everything/dist/index.js` → `everything`,
 * `uvx mcp-server-git` → `git`.
 */
export function nameFromCommand(command: string, args: readonly string[]): string {
  const exe = basename(command).replace(/\.(exe|cmd|bat)$/i, '');
  // `sh -c "npx -y pkg"`: look inside the shell line.
  if (/^(sh|bash|zsh|dash|cmd)$/.test(exe)) {
    const c = args.findIndex((a) => a === '-c' || a === '/c' || a === '/C');
    const line = c >= 0 ? args[c + 1] : undefined;
    if (line) {
      const words = line.trim().split(/\s+/);
      if (words[0]) return nameFromCommand(words[0], words.slice(1));
    }
  }
  const subcommands = RUNNERS[exe];
  if (subcommands) {
    let start = 0;
    if (subcommands.length > 0) {
      const sub = firstPositional(args);
      if (sub < 0 || !subcommands.includes(args[sub]!)) return nameFromPackage(exe);
      start = sub + 1;
    }
    // `npx -p pkg bin` / `npx --package=pkg bin`: the package names the server.
    for (let i = start; i < args.length; i++) {
      const arg = args[i]!;
      if ((arg === '-p' || arg === '--package') && args[i + 1]) return nameFromPackage(args[i + 1]!);
      if (arg.startsWith('--package=')) return nameFromPackage(arg.slice('--package='.length));
      if (!arg.startsWith('-')) break;
    }
    const at = firstPositional(args, start);
    if (at >= 0) {
      const target = args[at]!.replace(/^(npm|jsr):/, '');
      return /[\\/]/.test(target) && !target.startsWith('@') && !/^[\w.-]+\/[\w.-]+(:[\w.-]+)?$/.test(target)
        ? nameFromScript(target)
        : nameFromPackage(target);
    }
    return nameFromPackage(exe);
  }
  if (INTERPRETERS.test(exe)) {
    // `python -m mcp_server_fetch`: the module names the server.
    const m = args.indexOf('-m');
    if (m >= 0 && args[m + 1] && firstPositional(args) < 0) return nameFromPackage(args[m + 1]!);
    const at = firstPositional(args);
    if (at >= 0) return nameFromScript(args[at]!);
    return exe;
  }
  const pkg = packageOfPath(command);
  if (pkg) return nameFromPackage(pkg);
  return nameFromPackage(exe);
}

/** The URL's host (`mcp.example.com`, `127.0.0.1:3001`). */
export function nameFromUrl(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
