#!/usr/bin/env node
/**
 * The project's lint: the rules that keep the agent invisible and the data flowing one way,
 * which a generic linter does not know. Run by `npm run lint` (and so by `npm test`).
 *
 * 1. Only src/cli (and the collector, a server of its own) may write to stdout.
 * 2. Imports follow the data flow: hooks → observations → inference → inventory → sinks, and a
 *    folder is entered through its index.ts door.
 * 3. Agent code adds no SIGINT/SIGTERM/SIGHUP listeners and unrefs its timers.
 * 4. No source file over MAX_LINES lines: a file that long does more than one thing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');

/** Which folders of src/ each folder may import. */
const allowed = {
  catalog: [],
  platform: [],
  observations: [],
  inventory: ['catalog', 'observations'],
  hooks: ['platform', 'catalog', 'observations'],
  inference: ['platform', 'catalog', 'inventory', 'observations'],
  config: ['platform'],
  protocol: ['platform'],
  report: ['inventory', 'platform', 'config', 'catalog', 'protocol'],
  register: ['platform', 'catalog', 'inventory', 'observations', 'hooks', 'inference', 'report', 'config'],
  collector: ['platform', 'protocol', 'config', 'inventory', 'catalog'],
  cli: ['platform', 'inventory', 'report', 'config', 'collector', 'catalog', 'protocol'],
};
/** Deep imports past a door, each with its reason. */
const deepImportExceptions = new Map([
  // The door would bring zod, which must load only with the reporter.
  ['register/agent.ts -> config/names.js', true],
  // The reporter's lazy bundle is its own door (dist/reporter.cjs).
  ['report/lazy.ts -> report/aim/entry.js', true],
  // The MCP layer's lazy bundle is its own door (dist/mcp.cjs); the hooks' door stays in the startup bundle.
  ['register/mcp-layer.ts -> hooks/mcp/layer.js', true],
  ['register/mcp-config-parse.ts -> hooks/mcp/naming.js', true],
  // aim/register's code-cache loader: the platform door would load all of platform at startup.
  ['register/load-agent.ts -> platform/owned.js', true],
]);
/** Sub-folders whose files are shared on purpose: `aim doctor` uses the client's HTTP, credentials and files. */
const sharedFolders = [['cli/', 'report/aim/']];
const stdoutAllowed = ['cli/', 'collector/'];
const MAX_LINES = 400;

const problems = [];
const files = walk(src).filter((f) => f.endsWith('.ts'));
for (const file of files) check(file);
checkRegisterEntry(join(root, 'register.ts'));

if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stderr.write(`lint: ${problems.length} problem(s)\n`);
  process.exit(1);
}
process.stdout.write(`lint: ${files.length + 1} files ok\n`);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function check(file) {
  const rel = relative(src, file);
  const folder = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '';
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const length = text.endsWith('\n') ? lines.length - 1 : lines.length;
  if (length > MAX_LINES) problems.push(`src/${rel}: ${length} lines (at most ${MAX_LINES}: split it where it does two things)`);
  lines.forEach((line, i) => {
    const where = `src/${rel}:${i + 1}`;
    if (!stdoutAllowed.some((p) => rel.startsWith(p)) && /console\.(log|info|table|dir)\(|process\.stdout\.write/.test(line) && !isComment(line)) {
      problems.push(`${where}: writes to stdout (only src/cli may; the app's stdout may be JSON-RPC)`);
    }
    if (folder !== 'cli' && /process\.(on|once|addListener)\(\s*['"](SIGINT|SIGTERM|SIGHUP)['"]/.test(line)) {
      problems.push(`${where}: a signal listener in agent code changes how the app dies`);
    }
    if (!['cli', 'collector'].includes(folder) && /\bset(Timeout|Interval)\(/.test(line) && !isComment(line)) {
      const statement = lines.slice(i, i + 12).join('\n');
      const reason = lines.slice(Math.max(0, i - 5), i + 1).join('\n');
      if (!/\.unref\??\.?\(\)/.test(statement) && !/ref'd on purpose/i.test(reason)) problems.push(`${where}: a timer that is not unref'd keeps the app alive`);
    }
  });
  for (const match of text.matchAll(/^(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    checkImport(rel, folder, match[1]);
  }
}

function checkImport(rel, folder, specifier) {
  const target = relative(src, join(src, rel, '..', specifier));
  if (target.startsWith('..')) return; // outside src (tests, package.json)
  const targetFolder = target.includes('/') ? target.slice(0, target.indexOf('/')) : '';
  if (!folder || !targetFolder || targetFolder === folder) return;
  if (!(allowed[folder] ?? []).includes(targetFolder)) {
    problems.push(`src/${rel}: imports ${target} (${folder} may import only ${(allowed[folder] ?? []).join(', ') || 'nothing of ours'})`);
    return;
  }
  const door = `${targetFolder}/index.js`;
  const shared = sharedFolders.some(([from, to]) => rel.startsWith(from) && target.startsWith(to));
  if (target !== door && !shared && !deepImportExceptions.has(`${rel} -> ${target}`)) {
    problems.push(`src/${rel}: imports ${target} past its door (${door})`);
  }
}

function checkRegisterEntry(file) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
    // The entry stays tiny: builtins, and the loader that compiles the agent from V8's code cache.
    if (!match[1].startsWith('node:') && match[1] !== './src/register/load-agent.js') {
      problems.push(`register.ts: imports ${match[1]}; the entry may import only builtins and its agent loader`);
    }
  }
}

function isComment(line) {
  return /^\s*(\/\/|\*|\/\*)/.test(line);
}
