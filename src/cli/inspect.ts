/**
 * `aim inspect [--json] [--out FILE] -- <command> [args...]`: runs the command with the agent
 * preloaded and a temporary AIM_OUTPUT, then prints the merged inventory of every node process in
 * its tree. The command keeps its stdio, signals and exit code; the report goes to stdout after
 * the command has finished (or to FILE with --out).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeSnapshots, type InventorySnapshot, type MergedInventory } from '../inventory/index.js';
import { exitLike, runChild } from './child.js';
import { withAgentPreloaded } from './node-options.js';
import { registerPath } from './run.js';
import { renderTable } from './table.js';

const USAGE = 'usage: aim inspect [--json] [--out FILE] -- <command> [args...]\n';

interface Options {
  json: boolean;
  out?: string;
  command: string[];
}

function parse(args: string[]): Options | string {
  const options: Options = { json: false, command: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      options.command = args.slice(i + 1);
      break;
    }
    if (arg === '--json') options.json = true;
    else if (arg === '--out') options.out = args[++i];
    else if (arg.startsWith('--out=')) options.out = arg.slice(6);
    else if (arg.startsWith('-')) return `unknown option ${JSON.stringify(arg)}`;
    else {
      options.command = args.slice(i);
      break;
    }
  }
  if (options.command.length === 0) return 'no command given';
  if (options.out === '') return '--out needs a file';
  return options;
}

export async function inspect(args: string[]): Promise<number> {
  const options = parse(args);
  if (typeof options === 'string') {
    process.stderr.write(`aim inspect: ${options}\n${USAGE}`);
    return 2;
  }
  const output = mkdtempSync(join(tmpdir(), 'aim-inspect-'));
  try {
    const env = { ...withAgentPreloaded(process.env, registerPath()), AIM_OUTPUT: output };
    const [command, ...commandArgs] = options.command as [string, ...string[]];
    const result = await runChild(command, commandArgs, env);
    const merged = mergeSnapshots(readSnapshots(output));
    publish(merged, options);
    if (result.signal) return exitLike(result);
    return result.code ?? 1;
  } finally {
    rmSync(output, { recursive: true, force: true });
  }
}

function readSnapshots(dir: string): InventorySnapshot[] {
  const snapshots: InventorySnapshot[] = [];
  for (const name of readdirSync(dir)) {
    if (!/^\d+\.json$/.test(name)) continue;
    try {
      const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as InventorySnapshot;
      if (parsed.schema === 'aim.inventory/v1') snapshots.push(parsed);
    } catch {
      process.stderr.write(`aim inspect: skipped an unreadable inventory file (${name})\n`);
    }
  }
  return snapshots;
}

function publish(merged: MergedInventory, options: Options): void {
  const text = options.json || options.out ? `${JSON.stringify(merged, null, 2)}\n` : renderTable(merged);
  if (options.out) writeFileSync(options.out, text);
  else process.stdout.write(text);
}
