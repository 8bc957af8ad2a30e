/**
 * The agent core, end to end: real programs run as child processes under each activation mode,
 * on the Node binary in AIM_TEST_NODE. Every capability must be found as `used`, at the app's own
 * line, and nothing else of the program may change.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRows } from '../../src/catalog/index.js';
import { capability, fixture, modes, runFixture, type RunResult, inventoryOf } from '../helpers/agent-run.js';
import { hasSyncHooks, nodeIn, runsHere, stripTypesFlags } from '../helpers/node.js';

/** The line of `file` that carries the marker comment `// MARK`. */
function lineOf(file: string, mark: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(`// ${mark}`)) + 1;
}

/** stderr without Node's own stack frames. */
function appLines(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !/^\s+at .*(\(node:|\bnode:)/.test(line))
    .join('\n');
}

function expectUsedAt(result: RunResult, file: string, id: string, mark: string): void {
  const inventory = result.inventories.find((i) => i.process.entry === file);
  const found = capability(inventory, id);
  expect(found, `${id} in ${JSON.stringify(inventory?.capabilities.map((c) => c.id))}`).toBeDefined();
  expect(found!.strength).toBe('used');
  expect(found!.evidence.map((e) => e.location)).toContain(`${file}:${lineOf(file, mark)}`);
  expect(found!.evidence.find((e) => e.location)?.who).toBe('app');
}

describe.each(modes)('activation through %s', (mode) => {
  it.each([
    ['a CommonJS program', 'core/capabilities.cjs', 'openai-compatible'],
    ['an ES module, through named imports', 'core/capabilities.mjs', 'anthropic-compatible'],
  ])('finds every capability of %s, at its line', async (_, name, provider) => {
    const file = fixture(name);
    const result = await runFixture(file, { mode });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const [id, mark] of [
      ['file:write', 'WRITE'],
      ['file:read', 'READ'],
      ['file:delete', 'DELETE'],
      ['system:exec', 'EXEC'],
      ['network:listen', 'LISTEN'],
      ['api:call', 'HTTP'],
    ] as const) {
      expectUsedAt(result, file, id, mark);
    }
    const inventory = result.inventories.find((i) => i.process.entry === file)!;
    expect(capability(inventory, 'network:connect')?.strength).toBe('used');
    // A request to an LLM-shaped path is an LLM call, whoever made it.
    expect(capability(inventory, 'ai:model_call')?.evidence[0]?.details?.provider).toBe(provider);
    // No query strings or secrets in the evidence.
    expect(JSON.stringify(inventory)).not.toContain('secret');
    // With sync hooks the resolve hook sees ES modules and the require wrapper requires, whatever
    // the main module is.
    expect(inventory.agent.hookMode).toBe(hasSyncHooks ? 'sync' : 'cjs-only');
  });

  it('sees what an ES module imported from a CommonJS main does', async () => {
    const file = fixture('core/cjs-imports-esm.cjs');
    const result = await runFixture(file, { mode });
    expect(result.stdout.toString()).toBe('done\n');
    const esm = fixture('core/cjs-imports-esm-child.mjs');
    const exec = capability(result.inventories.find((i) => i.process.entry === file), 'system:exec');
    // With sync hooks both calls go through the patched module. Without, the first spawn goes
    // through the unpatched one and is seen on Node's child_process channel; the next call through
    // the named import, patched since.
    expect(exec?.evidence.map((e) => e.location)).toEqual(
      expect.arrayContaining([`${esm}:${lineOf(esm, 'SPAWN')}`, `${esm}:${lineOf(esm, 'EXEC_SYNC')}`]),
    );
  });

  it('sees every package of an ES-module program: static ones after a CommonJS one, and import()ed ones', async () => {
    // The resolve hook goes at the first require() (the CommonJS package running) and comes back
    // for each import(); without sync hooks only the CommonJS package is seen (require.cache).
    const file = fixture('core/esm-graph.mjs');
    const result = await runFixture(file, { mode });
    expect(result.stdout.toString()).toBe('fake-cjs fake-esm-static fake-esm-later\n');
    const names = result.inventories[0]!.packages.map((p) => p.name).sort();
    expect(names).toEqual(hasSyncHooks ? ['fake-cjs', 'fake-esm-deep', 'fake-esm-later', 'fake-esm-static'] : ['fake-cjs']);
  });

  it('does not count importing, module loading or JSON requires as use', async () => {
    const result = await runFixture(fixture('core/import-only.mjs'), { mode });
    expect(result.stdout.toString()).toBe('function function\n');
    const [inventory] = result.inventories;
    expect(inventory).toBeDefined();
    expect(inventory!.capabilities.filter((c) => c.strength === 'used')).toEqual([]);
  });

  it('counts a program reading a module file that Node loaded before', async () => {
    const file = fixture('core/read-source.cjs');
    const result = await runFixture(file, { mode });
    expect(result.stdout.toString()).toBe('true\n');
    expectUsedAt(result, file, 'file:read', 'READ');
  });

  it('keeps util.promisify shapes exactly as without the agent', async () => {
    const file = fixture('core/promisify.cjs');
    const plain = await runFixture(file, { mode: 'none' });
    const agent = await runFixture(file, { mode });
    expect(plain.code).toBe(0);
    expect(agent.stdout.toString()).toBe(plain.stdout.toString());
    expect(agent.stderr).toBe(plain.stderr);
  });

  it('leaves every wrapped builtin looking as without the agent, and puts the original back once used', async () => {
    const file = fixture('core/wrapper-shapes.cjs');
    const rows = JSON.stringify(builtinRows.map(({ module, api }) => ({ module, api })));
    const plain = await runFixture(file, { mode: 'none', args: [rows] });
    const agent = await runFixture(file, { mode, args: [rows] });
    expect(plain.code).toBe(0);
    const seen = JSON.parse(plain.stdout.toString()) as { shapes: Record<string, { type?: string; absent?: string }> };
    // A stale catalog row patches nothing and says nothing: every row must name a function here.
    for (const [row, shape] of Object.entries(seen.shapes)) {
      if (shape.absent) expect(row.startsWith('sqlite:') && !nodeIn('>=22.5'), row).toBe(true);
      else expect(shape.type, row).toBe('function');
    }
    expect(JSON.parse(agent.stdout.toString())).toEqual(JSON.parse(plain.stdout.toString()));
    // node:sqlite's ExperimentalWarning names the pid.
    const withoutPid = (text: string) => text.replace(/^\(node:\d+\)/gm, '(node)');
    expect(withoutPid(agent.stderr)).toBe(withoutPid(plain.stderr));
  });

  it('passes stdin to stdout byte for byte', async () => {
    const input = Buffer.from([...Array(70_000).keys()].map((i) => (i * 7) % 256));
    const result = await runFixture(fixture('core/echo.cjs'), { mode, input });
    expect(result.code).toBe(0);
    expect(result.stdout.equals(input)).toBe(true);
  });

  it.each(['code', 'exit-in-handler', 'throw', 'reject', 'exit-listener', 'sigterm'])(
    'ends the same way without and with the agent: %s',
    async (how) => {
      const file = fixture('core/exits.cjs');
      const plain = await runFixture(file, { mode: 'none', args: [how] });
      const agent = await runFixture(file, { mode, args: [how] });
      expect([agent.code, agent.signal]).toEqual([plain.code, plain.signal]);
      expect(agent.stdout.toString()).toBe(plain.stdout.toString());
      // Any --import changes which Node-internal frames load the main module; the app's are the same.
      expect(appLines(agent.stderr)).toBe(appLines(plain.stderr));
      expect(agent.inventories).toHaveLength(1);
    },
  );

  it('attributes a dependency’s use to that dependency and lists packages with versions', async () => {
    const result = await runFixture(fixture('core/deps.cjs'), { mode });
    expect(result.code).toBe(0);
    const [inventory] = result.inventories;
    const exec = capability(inventory, 'system:exec');
    expect(exec?.strength).toBe('used');
    expect(exec?.evidence[0]?.who).toBe('fake-exec');
    expect(exec?.evidence[0]?.location).toMatch(/deps\.cjs:5$/);
    expect(inventory!.packages).toContainEqual({ name: 'fake-exec', version: '1.2.3' });
    expect(inventory!.packages.find((p) => p.name === 'zod')?.version).toMatch(/^\d+\./);
  });

  it('runs once when activated twice (both --require and --import)', async () => {
    const file = fixture('core/capabilities.cjs');
    const nodeArgs = ['--require', fixture('../dist/register.cjs'), '--import', fixture('../dist/register.mjs')];
    const result = await runFixture(file, { mode, nodeArgs });
    expect(result.code).toBe(0);
    const mine = result.inventories.filter((i) => i.process.entry === file);
    expect(mine).toHaveLength(1);
    expect(capability(mine[0], 'file:read')?.evidence.filter((e) => e.who === 'app')).toHaveLength(1);
  });

  it.each(['core/worker.cjs', 'core/worker.mjs'])('runs in worker threads when preloaded with --require, joining their evidence to the one inventory (%s)', async (name) => {
    const file = fixture(name);
    const result = await runFixture(file, { mode });
    // Node runs --require preloads in workers, --import ones not (Node 20 to 26).
    const inWorker = mode === 'require';
    expect(result.stdout.toString()).toBe(`agent in worker: ${inWorker}\n`);
    expect(result.inventories).toHaveLength(1);
    const read = capability(inventoryOf(result, file), 'file:read');
    expect(read?.evidence.some((e) => e.strength === 'used' && typeof e.worker === 'number' && e.worker > 0) ?? false).toBe(inWorker);
  });
});

describe('processes and switches', () => {
  it('AIM_DISABLED=1 loads nothing of ours besides the entry', async () => {
    for (const mode of ['require', 'node-options'] as const) {
      const result = await runFixture(fixture('core/disabled.cjs'), { mode, env: { AIM_DISABLED: '1' } });
      expect(JSON.parse(result.stdout.toString())).toEqual({
        loaded: mode === 'require' ? [fixture('../dist/register.cjs')] : [],
        agent: false,
      });
      expect(result.inventories).toEqual([]);
    }
  });

  it('a child node process writes its own inventory (NODE_OPTIONS for spawn, execArgv for fork)', async () => {
    for (const mode of ['node-options', 'import'] as const) {
      const result = await runFixture(fixture('core/spawn-node.cjs'), { mode });
      expect(result.code).toBe(0);
      const children = result.inventories.filter((i) => i.process.entry === fixture('core/child.cjs'));
      // spawn() only inherits NODE_OPTIONS; fork() inherits the --import flag too.
      expect(children).toHaveLength(mode === 'node-options' ? 2 : 1);
      for (const child of children) expect(capability(child, 'file:read')?.strength).toBe('used');
    }
  });

  it.runIf(runsHere('core/capabilities.ts'))('finds capabilities of a TypeScript program run with type stripping', async () => {
    const file = fixture('core/capabilities.ts');
    const flags = stripTypesFlags.length > 0 ? [...stripTypesFlags, '--no-warnings'] : [];
    const result = await runFixture(file, { mode: 'import', nodeArgs: flags });
    expect(result.stdout.toString()).toBe('ok\n');
    expectUsedAt(result, file, 'file:write', 'WRITE');
    expectUsedAt(result, file, 'file:read', 'READ');
    expectUsedAt(result, file, 'system:exec', 'EXEC');
  });

  it('sees ES-module packages with sync hooks, or with the opt-in async loader, and never its own', async () => {
    const file = fixture('core/esm-package.mjs');
    const plain = (await runFixture(file)).inventories[0]!;
    expect(plain.packages.map((p) => p.name)).toEqual(hasSyncHooks ? ['zod'] : []);
    expect(plain.agent.visibility).toBe(hasSyncHooks ? 'full' : 'partial:esm-packages');
    const withLoader = (await runFixture(file, { env: { AIM_ESM_LOADER: '1' } })).inventories[0]!;
    expect(withLoader.packages.map((p) => p.name)).toEqual(['zod']);
    expect(withLoader.agent.hookMode).toBe(hasSyncHooks ? 'sync' : 'async');
  });

  it('sees builtins reached through process.getBuiltinModule', async () => {
    const file = fixture('core/builtin-module.mjs');
    expectUsedAt(await runFixture(file), file, 'system:exec', 'EXEC');
  });

  // Without sync hooks an ES module's import of node:sqlite is invisible, and loading it ourselves
  // would print Node's ExperimentalWarning: documented as a limit.
  it.runIf(hasSyncHooks)('reads node:sqlite statements as db:read and db:write', async () => {
    const file = fixture('core/sqlite.mjs');
    const result = await runFixture(file, { nodeArgs: ['--no-warnings'] });
    expectUsedAt(result, file, 'db:write', 'WRITE');
    expectUsedAt(result, file, 'db:read', 'READ');
  });

  it('marks npm as a launcher; the script it starts is the program', async () => {
    const dir = fixture('core/npm-app');
    const npmCli = join(execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim(), 'npm/bin/npm-cli.js');
    const result = await runFixture(npmCli, { mode: 'node-options', args: ['start', '--silent'], cwd: dir });
    expect(result.code).toBe(0);
    const npm = result.inventories.find((i) => i.process.launcher === 'npm');
    const app = result.inventories.find((i) => i.process.entry === `${dir}/app.cjs`);
    expect(npm).toBeDefined();
    expect(app?.process.launcher).toBeUndefined();
    expect(capability(app, 'file:read')?.strength).toBe('used');
  });

  it('warns once about a misspelt AIM_ variable and keeps the app untouched', async () => {
    const result = await runFixture(fixture('core/echo.cjs'), { env: { AIM_OUTPT: '/tmp/x' }, input: 'abc' });
    expect(result.stdout.toString()).toBe('abc');
    expect(result.stderr).toBe('aim warn AIM-C003-AIM_OUTPT: AIM_OUTPT is not an aim setting (did you mean AIM_OUTPUT?); it is ignored.\n');
  });
});
