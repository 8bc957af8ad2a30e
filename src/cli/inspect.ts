/**
 * `aim inspect [--json] [--out FILE] [--] <command> [args...]`: runs the command with the agent
 * preloaded and a temporary AIM_OUTPUT, then prints the merged inventory of every node process in
 * its tree. The command keeps its stdin, stderr, signals and exit code.
 *
 * Where the report goes, so that a pipe always gets one thing:
 * - the table (default): on stdout after the command ends; the command's stdout is its own.
 * - `--json`: stdout carries the JSON document and nothing else, so `aim inspect --json -- npm
 *   start | jq` works whatever npm prints: the command's stdout goes, byte for byte and unbuffered,
 *   to stderr (the child is given our fd 2 as its fd 1; this is what `npm --json` does with its
 *   lifecycle scripts' output).
 * - `--out FILE`: the JSON goes to FILE and the command's stdio is left exactly as it is (use it for
 *   a stdio MCP server, whose stdout is its protocol).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeSnapshots, type InventorySnapshot, type MergedInventory } from '../inventory/index.js';
import { printable } from '../platform/index.js';
import { exitLike, runChild, type ChildResult } from './child.js';
import { withAgentPreloaded } from './node-options.js';
import { registerPath } from './run.js';
import { toCycloneDx, type CycloneDxVersion } from '../report/index.js';

declare const __AIM_VERSION__: string;
const AIM_VERSION = typeof __AIM_VERSION__ === 'string' ? __AIM_VERSION__ : '0.0.0-dev';
import { renderTable } from './table.js';

/** The id of `aim inspect --json`'s document, versioned like the inventory files' `aim.inventory/v1`. */
export const INSPECT_SCHEMA = 'aim.inspect/v1';

const USAGE = `usage: aim inspect [--json | --format F] [--out FILE] [--] <command> [args...]

Runs <command> with the aim agent preloaded in every Node.js process it starts (npm start,
npx tsx app.ts and shell scripts included) and, when it ends, prints what each process did.
Nothing is sent to AIM unless AIM_API_KEY is set.

  (no option)   a table on stdout after the command ends; the command's own output is unchanged
  --json        the report as JSON (schema ${INSPECT_SCHEMA}) on stdout, and nothing else: the
                command's stdout goes to stderr, so \`aim inspect --json -- npm start | jq\` works
  --format F    table (default), json (= --json), or cyclonedx: a CycloneDX 1.6 BOM (AI-BOM:
                packages, MCP servers as services, LLM providers as models, capabilities and
                risk signals as aim: properties); cyclonedx-1.7 for CycloneDX 1.7
  --out FILE    the JSON (or BOM) to FILE; the command's stdin, stdout and stderr are left as they are
  -h, --help    this text

Exit code: the command's own (or its signal); 2 for a usage error.
`;

interface Options {
  json: boolean;
  /** `--format cyclonedx[-1.6|-1.7]`: a CycloneDX BOM instead of the inspect document. */
  cyclonedx?: CycloneDxVersion;
  out?: string;
  help: boolean;
  command: string[];
}

const FORMATS: Record<string, Pick<Options, 'json' | 'cyclonedx'>> = {
  table: { json: false },
  json: { json: true },
  cyclonedx: { json: false, cyclonedx: '1.6' },
  'cyclonedx-1.6': { json: false, cyclonedx: '1.6' },
  'cyclonedx-1.7': { json: false, cyclonedx: '1.7' },
};

function parse(args: string[]): Options | string {
  const options: Options = { json: false, help: false, command: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      options.command = args.slice(i + 1);
      break;
    }
    if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--json') options.json = true;
    else if (arg === '--format' || arg.startsWith('--format=')) {
      const format = arg === '--format' ? (args[++i] ?? '') : arg.slice(9);
      if (!FORMATS[format]) return `unknown format ${JSON.stringify(format)} (table, json, cyclonedx, cyclonedx-1.6, cyclonedx-1.7)`;
      Object.assign(options, FORMATS[format]);
    } else if (arg === '--out') options.out = args[++i] ?? '';
    else if (arg.startsWith('--out=')) options.out = arg.slice(6);
    else if (arg.startsWith('-')) return `unknown option ${JSON.stringify(arg)}`;
    else {
      options.command = args.slice(i);
      break;
    }
  }
  if (options.help) return options;
  if (options.command.length === 0) return 'no command given';
  if (options.out === '') return '--out needs a file';
  return options;
}

export async function inspect(args: string[]): Promise<number> {
  const options = parse(args);
  if (typeof options === 'string') {
    process.stderr.write(`aim inspect: ${options}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const stdoutToStderr = (options.json || Boolean(options.cyclonedx)) && !options.out;
  const { result, snapshots } = await runObserved(options.command, stdoutToStderr);
  publish(inspectDocument(mergeSnapshots(snapshots)), snapshots, options);
  return result.signal ? exitLike(result) : (result.code ?? 1);
}

/**
 * Runs the command with the agent preloaded in every node process of its tree and a temporary
 * AIM_OUTPUT, and returns every inventory it wrote. Shared by `aim inspect` and `aim policy`.
 * `stdoutToStderr`: the program's stdout goes to stderr, keeping stdout for a JSON document.
 */
export async function runObserved(commandLine: string[], stdoutToStderr = false): Promise<{ result: ChildResult; snapshots: InventorySnapshot[] }> {
  const output = mkdtempSync(join(tmpdir(), 'aim-inspect-'));
  try {
    // Every path and program, not only first uses: a local run pays for seeing it all.
    const env = { AIM_PATHS: 'all', ...withAgentPreloaded(process.env, registerPath()), AIM_OUTPUT: output };
    const [command, ...commandArgs] = commandLine as [string, ...string[]];
    const result = await runChild(command, commandArgs, env, { stdoutToStderr });
    return { result, snapshots: readSnapshots(output) };
  } finally {
    rmSync(output, { recursive: true, force: true });
  }
}

export type InspectDocument = { schema: typeof INSPECT_SCHEMA } & MergedInventory;

function inspectDocument(merged: MergedInventory): InspectDocument {
  return { schema: INSPECT_SCHEMA, ...merged };
}

export function readSnapshots(dir: string): InventorySnapshot[] {
  const snapshots: InventorySnapshot[] = [];
  for (const name of readdirSync(dir)) {
    if (!/^\d+\.json$/.test(name)) continue;
    try {
      const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as InventorySnapshot;
      if (parsed.schema === 'aim.inventory/v1') snapshots.push(parsed);
    } catch {
      process.stderr.write(`aim inspect: skipped an unreadable inventory file (${printable(name, 200)})\n`);
    }
  }
  return snapshots;
}

function publish(document: InspectDocument, snapshots: InventorySnapshot[], options: Options): void {
  const data = options.cyclonedx ? toCycloneDx({ merged: document, aimVersion: AIM_VERSION }, options.cyclonedx) : document;
  const json = `${JSON.stringify(data, null, 2)}\n`;
  if (options.out) writeFileSync(options.out, json);
  // Names came from servers and config files: no terminal escapes on the user's screen (table.ts makes each cell printable).
  else process.stdout.write(options.json || options.cyclonedx ? json : renderTable(document, snapshots));
}
