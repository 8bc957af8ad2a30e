import type { ChildProcess } from 'node:child_process';

/** A program that says `ready`, then on SIGTERM says `word` and exits 0. */
export const gracefulApp = (word: string): string =>
  `process.on('SIGTERM', () => { process.stdout.write('${word}\\n'); process.exit(0); });
process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`;

/** Waits for `ready` on the child's stdout, sends SIGTERM, and returns what it printed and its exit code. */
export async function terminateWhenReady(child: ChildProcess): Promise<{ out: string; code: number | null }> {
  let out = '';
  child.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve) =>
    child.stdout!.on('data', (d: string) => {
      out += d;
      if (out.includes('ready\n')) resolve();
    }),
  );
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { out, code };
}
