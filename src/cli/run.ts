/**
 * `aim run [--] <command> [args...]`: runs a command with the agent preloaded in every node process
 * it starts (NODE_OPTIONS is inherited down the tree: `npm start`, `npx tsx app.ts`, shell scripts),
 * and otherwise exactly as if it had been run directly (see child.ts): same stdio, signals, exit
 * code or terminating signal.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exitLike, runChild } from './child.js';
import { withAgentPreloaded } from './node-options.js';

const USAGE = `usage: aim run [--] <command> [args...]

Runs <command> with the aim agent preloaded in every Node.js process it starts
(NODE_OPTIONS gets --require <aim>/dist/register.cjs, after what is already there).
Exit code, signals and stdio are the command's own.
`;

/**
 * dist/register.cjs next to the built CLI (dist/cli.mjs and its chunks live in dist/). The same
 * agent as register.mjs, through the CommonJS door: with any `--import` in NODE_OPTIONS Node loads
 * the main file through its ES module loader, which ignores require hooks (ts-node,
 * @babel/register), so `--require` is the form that leaves every program as it was.
 */
export function registerPath(): string {
  return fileURLToPath(new URL('./register.cjs', import.meta.url));
}

export async function run(args: string[]): Promise<number> {
  let rest = args;
  const first = rest[0];
  if (first === '-h' || first === '--help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (first === '--') rest = rest.slice(1);
  else if (first !== undefined && first.startsWith('-')) {
    process.stderr.write(`aim run: unknown option ${JSON.stringify(first)} (put -- before the command)\n${USAGE}`);
    return 2;
  }
  const [command, ...commandArgs] = rest;
  if (command === undefined || command === '') {
    process.stderr.write(USAGE);
    return 2;
  }

  const register = registerPath();
  if (!existsSync(register)) {
    process.stderr.write(`aim run: the agent is missing: ${register} does not exist (is aim built?)\n`);
    return 1;
  }

  const result = await runChild(command, commandArgs, withAgentPreloaded(process.env, register));
  if (result.signal) return exitLike(result);
  return result.code ?? 1;
}
