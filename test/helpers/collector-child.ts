import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a node program as a child process (AIM_TEST_NODE or this node) and collects its output. */
export function runNode(args: string[], env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<ChildResult> {
  const node = process.env.AIM_TEST_NODE || process.execPath;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, {
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The parent's environment without any AIM_* or NODE_OPTIONS, plus `env`. */
export function cleanEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('AIM_') || k === 'NODE_OPTIONS' || k.startsWith('VITEST') || k === 'NODE_ENV') continue;
    out[k] = v;
  }
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Every file under `dir`, as text (for "the key is in no file" checks). */
export function allFiles(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) out.push(...allFiles(path));
    else out.push({ path, text: readFileSync(path, 'utf8') });
  }
  return out;
}
