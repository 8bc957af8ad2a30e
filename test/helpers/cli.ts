/** Runs the built CLI (dist/cli.mjs) as a child process with a clean environment, collecting its output. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { baseEnv, repo } from './agent-run.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [join(repo, 'dist/cli.mjs'), ...args], { cwd: options.cwd ?? repo, env: baseEnv(options.env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}
