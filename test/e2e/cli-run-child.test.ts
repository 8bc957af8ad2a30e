/**
 * runChild/exitLike in a real process: the harness below is src/cli/child.ts bundled with esbuild
 * (so the test does not depend on the package build) and run by the node under test; the children
 * are real programs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NODE = process.env.AIM_TEST_NODE ?? process.execPath;
let dir: string;
let harness: string;

function writeFixture(name: string, source: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, source);
  return file;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aim-child-'));
  buildSync({
    entryPoints: [path.resolve('src/cli/child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: path.join(dir, 'child.mjs'),
    logLevel: 'error',
  });
  harness = writeFixture(
    'harness.mjs',
    `import { runChild, exitLike } from './child.mjs';
const [command, ...args] = process.argv.slice(2);
await exitLike(await runChild(command, args, process.env));
`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the harness in its own session (no controlling terminal, its own process group). */
function start(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(NODE, [harness, ...args], { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const ended = new Promise<Ended>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const output = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (stdout.includes(text)) {
          child.stdout.off('data', check);
          resolve();
        }
      };
      child.stdout.on('data', check);
      check();
    });
  return { child, ended, output };
}

describe('runChild + exitLike', () => {
  it('passes the exit code through', async () => {
    const { ended, child } = start([NODE, '-e', 'process.exit(42)']);
    child.stdin.end();
    expect((await ended).code).toBe(42);
  });

  it.each(['SIGTERM', 'SIGKILL', 'SIGPIPE', 'SIGHUP'] as const)(
    'passes termination by %s through (default actions restored)',
    async (signal) => {
      // sh keeps the default action for every one of these (node would ignore SIGPIPE).
      const { ended, child } = start(['sh', '-c', `kill -${signal.slice(3)} $$`]);
      child.stdin.end();
      const result = await ended;
      expect(result).toMatchObject({ code: null, signal });
    },
  );

  it('answers 127 like a shell when the command does not exist', async () => {
    const { ended, child } = start(['aim-no-such-command-xyz', 'a']);
    child.stdin.end();
    const result = await ended;
    expect(result.code).toBe(127);
    expect(result.stderr).toBe('aim: aim-no-such-command-xyz: command not found\n');
  });

  it('answers 126 when the file is not executable', async () => {
    const file = writeFixture('not-executable.sh', '#!/bin/sh\necho hi\n');
    fs.chmodSync(file, 0o644);
    const { ended, child } = start([file]);
    child.stdin.end();
    const result = await ended;
    expect(result.code).toBe(126);
    expect(result.stderr).toContain('permission denied');
  });

  it('finds commands on PATH without a shell (arguments are not interpreted)', async () => {
    const { ended, child } = start(['printf', '%s|', '$HOME', '*', 'a b']);
    child.stdin.end();
    const result = await ended;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('$HOME|*|a b|');
  });

  it('inherits stdin, stdout and stderr byte for byte', async () => {
    const copy = writeFixture(
      'copy.cjs',
      `const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const all = Buffer.concat(chunks);
  process.stdout.write(all);
  process.stderr.write(all.subarray(0, 1000));
});`,
    );
    const input = randomBytes(1 << 20);
    const child = spawnSync(NODE, [harness, NODE, copy], { input, maxBuffer: 4 << 20 });
    expect(child.status).toBe(0);
    expect(Buffer.compare(child.stdout, input)).toBe(0);
    expect(Buffer.compare(child.stderr, input.subarray(0, 1000))).toBe(0);
  });
});

describe('signal forwarding', () => {
  const catcher = () =>
    writeFixture(
      'catcher.cjs',
      `let count = 0;
for (const s of ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP', 'SIGUSR2']) {
  process.on(s, () => {
    count++;
    process.stdout.write('got ' + s + ' ' + count + '\\n');
    // Stay a little so a second copy of the signal, if any, is seen.
    setTimeout(() => process.exit(count === 1 ? 7 : 8), 500);
  });
}
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);
`,
    );

  it.each(['SIGTERM', 'SIGHUP', 'SIGUSR2', 'SIGINT', 'SIGQUIT'] as const)(
    'forwards %s sent to aim (no terminal) exactly once',
    async (signal) => {
      const { child, ended, output } = start([NODE, catcher()]);
      await output('ready\n');
      child.kill(signal);
      const result = await ended;
      expect(result.stdout).toBe(`ready\ngot ${signal} 1\n`);
      expect(result.code).toBe(7);
    },
  );

  it('passes the signal through when the app dies of the forwarded SIGTERM', async () => {
    const { child, ended, output } = start([NODE, '-e', 'process.stdout.write("ready\\n"); setInterval(() => {}, 1000)']);
    await output('ready\n');
    child.kill('SIGTERM');
    expect(await ended).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  // A real terminal: `script` gives the command a pty as controlling terminal, and the Ctrl-C byte
  // written to it becomes SIGINT for the whole foreground process group (aim and the app).
  const haveScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!haveScript || process.platform !== 'linux')(
    'does not deliver a terminal Ctrl-C twice',
    async () => {
      const file = catcher();
      // `script` runs the command with $SHELL -c; `exec` keeps that shell (dash does not exec a lone
      // command by itself) from staying in the foreground group and dying of the Ctrl-C.
      const command = 'exec ' + [NODE, harness, NODE, file].map((a) => `'${a}'`).join(' ');
      const script = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      script.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      await new Promise<void>((resolve) => {
        const check = () => out.includes('ready') && resolve();
        script.stdout.on('data', check);
      });
      script.stdin.write('\x03');
      const code = await new Promise<number | null>((resolve) => script.on('close', (c) => resolve(c)));
      script.stdin.destroy();
      expect(out.replace(/\r/g, '')).toContain('got SIGINT 1\n');
      expect(out).not.toContain('got SIGINT 2');
      expect(code).toBe(7);
    },
  );
});
