/**
 * Runs a fixture program as a child process with the built agent preloaded, the way users do:
 * `--import aim/register`, `--require aim/register`, or NODE_OPTIONS. The node binary is
 * AIM_TEST_NODE (CI runs the suite once per Node version) or the one running the tests.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InventorySnapshot } from '../../src/inventory/index.js';
import { node } from './node.js';

export { node };

export const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const registerMjs = join(repo, 'dist/register.mjs');
export const registerCjs = join(repo, 'dist/register.cjs');
export const fixture = (...parts: string[]): string => join(repo, 'fixtures', ...parts);

export type Mode = 'import' | 'require' | 'node-options' | 'none';
export const modes: Mode[] = ['import', 'require', 'node-options'];

export { hasSyncHooks, nodeVersion } from './node.js';

export interface RunOptions {
  mode?: Mode;
  env?: Record<string, string | undefined>;
  args?: string[];
  nodeArgs?: string[];
  input?: string | Buffer;
  cwd?: string;
  timeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** Every `<pid>.json` the process tree wrote. */
  inventories: InventorySnapshot[];
}

export function preloadArgs(mode: Mode): { args: string[]; nodeOptions?: string } {
  if (mode === 'import') return { args: ['--import', registerMjs] };
  if (mode === 'require') return { args: ['--require', registerCjs] };
  if (mode === 'node-options') return { args: [], nodeOptions: `--import ${registerMjs}` };
  return { args: [] };
}

/** A clean environment: no AIM_* or NODE_OPTIONS from the machine running the tests. */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AIM_') && k !== 'NODE_OPTIONS' && !k.startsWith('VITEST') && k !== 'NODE_ENV') env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export async function runFixture(file: string, options: RunOptions = {}): Promise<RunResult> {
  const output = mkdtempSync(join(tmpdir(), 'aim-fixture-'));
  const mode = options.mode ?? 'import';
  const preload = preloadArgs(mode);
  const env = baseEnv({ AIM_OUTPUT: output, ...options.env });
  if (preload.nodeOptions) env.NODE_OPTIONS = preload.nodeOptions;
  const child = spawn(node, [...preload.args, ...(options.nodeArgs ?? []), file, ...(options.args ?? [])], {
    cwd: options.cwd ?? repo,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const [code, signal] = (await new Promise((done) => child.on('close', (c, s) => done([c, s])))) as [
    number | null,
    NodeJS.Signals | null,
  ];
  clearTimeout(timer);
  const inventories = readInventories(output);
  rmSync(output, { recursive: true, force: true });
  return { code, signal, stdout: Buffer.concat(stdout), stderr, inventories };
}

export function readInventories(dir: string): InventorySnapshot[] {
  return readdirSync(dir)
    .filter((name) => /^\d+\.json$/.test(name))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as InventorySnapshot);
}

/** The capability of one inventory, by id. */
export function capability(inventory: InventorySnapshot | undefined, id: string) {
  return inventory?.capabilities.find((c) => c.id === id);
}

/** The inventory of the process whose entry is `file`. */
export function inventoryOf(result: RunResult, file: string): InventorySnapshot | undefined {
  return result.inventories.find((i) => i.process.entry === file || i.process.argv.includes(file));
}
