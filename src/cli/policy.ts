/**
 * `aim policy [--json] [--out FILE] [--node VERSION] -- <command> [args...]` runs the command as
 * `aim inspect` does; `aim policy <inventory files or AIM_OUTPUT directories>` works from saved
 * inventories. Either prints the Node permission-model grants the program needs for what it was
 * seen doing and, as its last line, a ready `node --permission ...` command line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import type { InventorySnapshot } from '../inventory/index.js';
import { exitLike } from './child.js';
import { readSnapshots, runObserved } from './inspect.js';
import { buildPolicy, type Grant, type Policy } from './policy-grants.js';
import { registerPath } from './run.js';

const USAGE = `usage: aim policy [--json] [--out FILE] [--node VERSION] -- <command> [args...]
       aim policy [--json] [--out FILE] [--node VERSION] <inventory files or AIM_OUTPUT directories...>

Runs the command as aim inspect does (or reads saved aim.inventory/v1 files) and prints Node's
permission-model flags for what the program was seen doing; the last line is a ready
\`node --permission ...\` command line (docs/permissions.md).

  --json          the same as data (schema aim.policy/v1), with the AIM capability allow-list
  --out FILE      write it to FILE instead of stdout
  --node VERSION  the Node that will run it (default: the one that ran it): 20, 22.12, 26...
  -h, --help      this text
`;

interface Options {
  json: boolean;
  help: boolean;
  out?: string;
  node?: string;
  command: string[];
  files: string[];
}

function parse(args: string[]): Options | string {
  const options: Options = { json: false, help: false, command: [], files: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      options.command = args.slice(i + 1);
      break;
    }
    if (arg === '--json') options.json = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--out' || arg === '--node') options[arg.slice(2) as 'out' | 'node'] = args[++i] ?? '';
    else if (/^--(out|node)=/.test(arg)) options[arg.slice(2, arg.indexOf('=')) as 'out' | 'node'] = arg.slice(arg.indexOf('=') + 1);
    else if (arg.startsWith('-')) return `unknown option ${JSON.stringify(arg)}`;
    else options.files.push(arg);
  }
  if (options.help) return options;
  if (options.command.length === 0 && options.files.length === 0) return 'no command and no inventory files given';
  if (options.command.length > 0 && options.files.length > 0) return 'give a command after --, or inventory files, not both';
  if (options.out === '') return '--out needs a file';
  if (options.node !== undefined && !/^v?\d+(\.\d+){0,2}$/.test(options.node)) return '--node needs a version such as 22, 24.1 or v26.0.0';
  return options;
}

export async function policy(args: string[]): Promise<number> {
  const options = parse(args);
  if (typeof options === 'string') {
    process.stderr.write(`aim policy: ${options}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.command.length > 0) {
    // The program's stdout goes to stderr when the policy is printed: stdout is the policy's.
    const { result, snapshots } = await runObserved(options.command, !options.out);
    if (!publish(snapshots, options)) return 1;
    return result.signal ? exitLike(result) : (result.code ?? 1);
  }
  const snapshots = readInventories(options.files);
  if (typeof snapshots === 'string') {
    process.stderr.write(`aim policy: ${snapshots}\n`);
    return 2;
  }
  return publish(snapshots, options) ? 0 : 1;
}

function publish(snapshots: InventorySnapshot[], options: Options): boolean {
  const built = buildPolicy(snapshots, { home: homeDir(), ...(options.node ? { node: options.node } : {}) });
  if (typeof built === 'string') {
    process.stderr.write(`aim policy: ${built}\n`);
    return false;
  }
  const binary = nodeBinary(snapshots, built);
  const command = [binary, ...built.flags, ...(built.entry ? [built.entry] : []), ...built.args];
  const aimItself = aimGrants(built);
  const text = options.json
    ? `${JSON.stringify({ ...built, aimItself, command, commandLine: command.map(quote).join(' ') }, null, 2)}\n`
    : renderPolicy(built, aimItself, command);
  if (options.out) writeFileSync(options.out, text);
  else process.stdout.write(text);
  return true;
}

/** What aim itself needs when it is preloaded under the policy. */
function aimGrants(policy: Policy): { flags: string[]; why: string } {
  const dist = dirname(registerPath());
  const flags = [`--allow-fs-read=${dist}`];
  if (policy.node.gatesNet && !policy.net) flags.push('--allow-net');
  return {
    flags,
    why: `to preload aim under this policy add ${flags.join(' ')} and --import ${dist}/register.mjs (and --allow-fs-write=<dir> for AIM_OUTPUT=<dir>; without it aim warns once and the program runs on)${policy.node.gatesNet && !policy.net ? '; --allow-net only for reporting to AIM' : ''}`,
  };
}

function renderPolicy(policy: Policy, aimItself: { why: string }, command: string[]): string {
  const lines = ['', `aim policy: Node's permission model for what this program was seen doing (Node ${policy.node.version})`, ''];
  lines.push(...section('read (--allow-fs-read)', policy.fsRead), ...section('write (--allow-fs-write)', policy.fsWrite));
  const yes = (on: boolean, flag: string) => (on ? `yes (${flag})` : 'not seen');
  lines.push(`  child processes: ${yes(policy.childProcess, '--allow-child-process')}`);
  lines.push(`  worker threads:  ${yes(policy.worker, '--allow-worker')}`);
  lines.push(`  native addons:   ${yes(policy.addons, '--allow-addons')}`);
  lines.push(`  WASI:            ${yes(policy.wasi, '--allow-wasi')}`);
  lines.push(`  network:         ${policy.net ? (policy.node.gatesNet ? 'yes (--allow-net)' : `used (not gated before Node 25)`) : 'not seen'}`);
  lines.push(`  AIM capabilities: ${policy.aim.capabilities.join(', ') || 'none'}`, '');
  for (const note of [...policy.notes, aimItself.why]) lines.push(`# ${note}`);
  lines.push(command.map(quote).join(' '), '');
  return lines.join('\n');
}

function section(title: string, grants: Grant[]): string[] {
  if (grants.length === 0) return [`  ${title}: none`];
  const width = Math.min(70, Math.max(...grants.map((g) => g.path.length)));
  return [`  ${title}:`, ...grants.map((g) => `    ${g.path.padEnd(width)}  ${g.why}`)];
}

/** `node` when that is what PATH finds for the binary that ran the program, else its path. */
function nodeBinary(snapshots: InventorySnapshot[], policy: Policy): string {
  const ran = snapshots.find((s) => s.process.entry === policy.entry)?.process.argv[0];
  if (!ran || !existsSync(ran)) return 'node';
  try {
    const found = execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim();
    return found && realpathSync(found) === realpathSync(ran) ? 'node' : ran;
  } catch {
    return ran;
  }
}

/** A word as a POSIX shell reads it back unchanged. */
function quote(word: string): string {
  return /^[\w@%+=:,./*-]+$/.test(word) && !word.includes('*') ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function homeDir(): string {
  try {
    return homedir().replace(/\/+$/, '');
  } catch {
    return '';
  }
}

function readInventories(files: string[]): InventorySnapshot[] | string {
  const snapshots: InventorySnapshot[] = [];
  for (const file of files) {
    try {
      if (statSync(file).isDirectory()) {
        snapshots.push(...readSnapshots(file));
        continue;
      }
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as InventorySnapshot;
      if (parsed.schema !== 'aim.inventory/v1') return `${file} is not an aim.inventory/v1 file (aim inspect --json output has no paths: use the AIM_OUTPUT files)`;
      snapshots.push(parsed);
    } catch (error) {
      return `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return snapshots;
}
