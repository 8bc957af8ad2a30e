import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../../src/collector/index.js';
import { repoRoot } from '../helpers/collector-bundle.js';
import { cleanEnv, runNode } from '../helpers/collector-child.js';
import { newKey, tempDir, until } from '../helpers/collector.js';

/**
 * Killed right after working (issue 14 item 5, issue 16's spool): a real agent
 * (fixtures/report/killed-agent.mjs) reads a file and calls an MCP server's tool, then is killed
 * by SIGTERM or SIGKILL (no `exit` event, and aim adds no signal listener) while AIM is down. What
 * it had not sent is in the spool within the bound; the next run of the agent, with AIM up, sends
 * it (capabilities, the MCP server record, its connection, the tool usage) exactly once.
 */
const dist = process.env.AIM_TEST_DIST || join(repoRoot, 'dist');
const built = existsSync(join(dist, 'register.mjs')) && existsSync(join(dist, 'reporter.cjs'));
const app = join(repoRoot, 'fixtures', 'report', 'killed-agent.mjs');
const CALLS = 3;

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

type Mode = '--import' | '--require' | 'NODE_OPTIONS';
const preload = (mode: Mode): { args: string[]; env: Record<string, string> } =>
  mode === '--import'
    ? { args: ['--import', join(dist, 'register.mjs')], env: {} }
    : mode === '--require'
      ? { args: ['--require', join(dist, 'register.cjs')], env: {} }
      : { args: [], env: { NODE_OPTIONS: `--require ${join(dist, 'register.cjs')}` } };

/** Starts the agent and resolves once it printed `line`; the caller kills it. */
function start(mode: Mode, env: Record<string, string>, line: string): Promise<{ child: ChildProcess; out: () => string }> {
  const p = preload(mode);
  const child = spawn(process.env.AIM_TEST_NODE || process.execPath, [...p.args, app], { env: cleanEnv({ ...env, ...p.env }), stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.push(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes(`${line}\n`)) resolve({ child, out: () => stderr });
    });
    child.on('close', (code) => reject(new Error(`agent ended (${code}) before "${line}"\n${stdout}\n${stderr}`)));
  });
}

const killed = (child: ChildProcess, signal: NodeJS.Signals): Promise<NodeJS.Signals | null> =>
  new Promise((resolve) => {
    child.once('close', (_code, s) => resolve(s));
    child.kill(signal);
  });

/** A loopback port nobody listens on now: AIM is down. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

interface SpoolFile {
  capabilities: { id: string }[];
  records?: { identity: string }[];
  connections?: { tool: string }[];
  usage?: { tool: string; count: number }[];
}

function spoolFiles(dir: string): SpoolFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^[0-9a-f]+(\.\d+)?\.json$/.test(f))
    .flatMap((f) => {
      // The agent may delete a file between the listing and the read (it sent it): that file is gone, not an error.
      try {
        return [JSON.parse(readFileSync(join(dir, f), 'utf8')) as SpoolFile];
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
    });
}

const usageIn = (files: SpoolFile[]): number => files.flatMap((f) => f.usage ?? []).reduce((n, u) => n + u.count, 0);
const usageAt = (c: Collector): number =>
  c
    .received()
    .filter((r) => r.route === 'mcp-usage-report' && r.status === 200)
    .flatMap((r) => Object.values((r.body as { mcpServers: Record<string, { toolUsage: Record<string, { count: number }> }> }).mcpServers))
    .flatMap((s) => Object.values(s.toolUsage))
    .reduce((n, u) => n + u.count, 0);
const routes = (c: Collector, route: string): string[] => c.received().filter((r) => r.route === route).map((r) => `${r.route} ${r.status}`);

const cases: [Mode, NodeJS.Signals][] = [
  ['--import', 'SIGTERM'],
  ['--import', 'SIGKILL'],
  ['--require', 'SIGTERM'],
  ['NODE_OPTIONS', 'SIGKILL'],
];

describe.skipIf(!built)('an agent killed right after its work (AIM down), sent by the next run (AIM up) exactly once', () => {
  it.each(cases)('%s, %s', async (mode, signal) => {
    const dir = tempDir('aim-killed-');
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const spoolDir = join(tmp, 'aim', 'spool');
    const port = await freePort();
    const key = newKey();
    const env = { AIM_API_KEY: key, AIM_URL: `http://127.0.0.1:${port}`, TMPDIR: tmp, XDG_STATE_HOME: tmp, XDG_CONFIG_HOME: join(dir, 'config'), CALLS: String(CALLS) };

    // First run: AIM is down. It works, then waits; its spool shows the work within the bound.
    const first = await start(mode, env, 'worked');
    const spooled = await until(() => {
      const files = spoolFiles(spoolDir);
      return usageIn(files) >= CALLS && files.some((f) => f.records?.length && f.connections?.length) && files;
    }, 30_000);
    const spooledCaps = spooled.flatMap((f) => f.capabilities.map((c) => c.id));
    expect(spooledCaps).toEqual(expect.arrayContaining(['file:read']));
    const counted = usageIn(spooled);
    // Each of the program's calls counted once (the first one too: the SDK and the wire layer both see it).
    expect(counted).toBe(CALLS);
    expect(await killed(first.child, signal)).toBe(signal);
    expect(spoolFiles(spoolDir)).toHaveLength(1);

    // Second run of the same agent, doing nothing itself: AIM is up now and gets what the first did.
    const collector = await startCollector({ protocol: 'signed', agents: [], keys: [key], port, store: join(dir, 'store.jsonl'), log: () => {} });
    cleanup.push(() => collector.close());
    const second = await start(mode, { ...env, WORK: '0', AIM_LOG_LEVEL: 'debug' }, 'waiting');
    await until(() => usageAt(collector) >= counted, 30_000).catch((e) => {
      throw new Error(`${e}\n${second.out()}\n${collector.received().map((r) => `${r.route} ${r.status}`).join('\n')}`);
    });
    // Once AIM has it, it leaves the spool (no file with it is left for a third run).
    await until(() => usageIn(spoolFiles(spoolDir)) === 0, 30_000);
    expect(await killed(second.child, 'SIGTERM')).toBe('SIGTERM');
    expect(usageAt(collector)).toBe(counted);
    expect(routes(collector, 'mcp-servers')).toEqual(['mcp-servers 201']);
    expect(routes(collector, 'mcp-connections')).toEqual(['mcp-connections 200']);
    const agent = [...collector.state.agents.values()][0]!;
    expect(agent.capabilities.map((c) => c.capabilityType)).toEqual(expect.arrayContaining(spooledCaps));

    // A third run sends none of it again.
    const before = collector.received().length;
    const third = await runNode([...preload(mode).args, app], { ...env, ...preload(mode).env, WORK: '0', EXIT: '1' }, 60_000);
    expect(third.code).toBe(0);
    const later = collector.received().slice(before).map((r) => r.route);
    expect(later.filter((r) => ['mcp-servers', 'mcp-connections', 'mcp-usage-report', 'register'].includes(r))).toEqual([]);
    expect(usageAt(collector)).toBe(counted);
  }, 120_000);
});
