/**
 * `aim inspect` runs a command with the agent preloaded in its whole process tree and prints the
 * merged inventory; the command keeps its stdout and exit code.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MergedInventory } from '../../src/inventory/index.js';
import type { InspectDocument } from '../../src/cli/inspect.js';
import { fixture, node, repo } from '../helpers/agent-run.js';
import { runCli } from '../helpers/cli.js';

const aim = (args: string[], cwd = repo) => runCli(args, { cwd });

describe('aim inspect', () => {
  it("--json: stdout is the JSON document only, the program's stdout goes to stderr byte for byte", async () => {
    const result = await aim(['inspect', '--json', '--', node, fixture('core/agent-app.mjs')]);
    expect(result.code).toBe(0);
    const merged = JSON.parse(result.stdout) as InspectDocument;
    expect(merged.schema).toBe('aim.inspect/v1');
    expect(result.stderr).toMatch(/^child worker\nanswer written to .*answer\.txt\n/);
    expect(merged.processes.length).toBeGreaterThanOrEqual(2);
    const ids = merged.capabilities.map((c) => `${c.id}:${c.strength}`);
    for (const id of ['file:read', 'file:write', 'system:exec', 'api:call', 'ai:model_call', 'network:listen', 'network:connect']) {
      expect(ids).toContain(`${id}:used`);
    }
    expect(merged.mcpServers).toEqual([]);
  });

  it("--json through npm: a noisy program and npm's banner stay out of the JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aim-noisy-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'noisy', version: '1.0.0', scripts: { start: `node ${JSON.stringify(fixture('core/noisy.cjs'))}` } }));
    const result = await aim(['inspect', '--json', 'npm', 'start'], dir);
    expect(result.code).toBe(0);
    const merged = JSON.parse(result.stdout) as InspectDocument;
    expect(merged.schema).toBe('aim.inspect/v1');
    expect(result.stderr).toContain('> noisy@1.0.0 start\n{ "not": "the report" }\n[child] {"also": "noise"}\ndone\n');
    expect(merged.capabilities.map((c) => c.id)).toEqual(expect.arrayContaining(['file:read', 'system:exec']));
    expect(merged.processes.some((p) => p.launcher === 'npm')).toBe(true);
    expect(merged.processes.flatMap((p) => p.packages.map((pkg) => pkg.name))).not.toContain('aim');
  });

  it("--out leaves the program's stdout exactly as it was", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'aim-out-')), 'inv.json');
    const result = await aim(['inspect', '--out', out, '--', node, fixture('core/noisy.cjs')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('> noisy@1.0.0 start\n{ "not": "the report" }\n[child] {"also": "noise"}\ndone\n');
    expect((JSON.parse(readFileSync(out, 'utf8')) as InspectDocument).schema).toBe('aim.inspect/v1');
  });

  it('passes the exit code through and writes --out', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'aim-out-')), 'inv.json');
    const result = await aim(['inspect', '--out', out, '--', node, fixture('core/exits.cjs'), 'code']);
    expect(result.code).toBe(7);
    expect(result.stdout).toBe('running code\n');
    expect((JSON.parse(readFileSync(out, 'utf8')) as MergedInventory).processes).toHaveLength(1);
  });

  it('prints a readable table on a terminal', async () => {
    const result = await aim(['inspect', '--', node, fixture('core/capabilities.cjs')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/CAPABILITY\s+STRENGTH\s+CONF\s+WHO\s+EVIDENCE/);
    expect(result.stdout).toMatch(/file:read\s+used\s+95\s+app\s+fs\.readFileSync at fixtures\/core\/capabilities\.cjs:12/);
  });

  it('groups evidence by who, wraps a long WHO, names commands with their args redacted and says shell or not', async () => {
    const result = await aim(['inspect', '--', node, fixture('core/who-groups.cjs'), '\u001b]0;title\u0007']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const read = lines.findIndex((l) => /^\s+file:read\s+used\s+95\s+app\s+fs\.readFileSync at fixtures\/core\/who-groups\.cjs:6$/.test(l));
    expect(read, result.stdout).toBeGreaterThan(0);
    // A stat is a metadata probe, not a read (issue 14): shown, never as use.
    expect(lines[read + 1]).toMatch(/^\s+probe\s+@long-scope-for-wrapping\s+fs\.statSync at fixtures\/core\/who-groups\.cjs:3 \(\+1 more\)$/);
    expect(lines[read + 2]!.trim()).toBe('/a-dependency-with-a-lon');
    expect(result.stdout).toMatch(/system:exec\s+used\s+95\s+app\s+echo --token \[REDACTED\] hello \(no shell\) via\s+child_process\.execFileSync at fixtures\/core\/who-groups\.cjs:7/);
    expect(result.stdout).toMatch(/true --password=\[REDACTED\] \(through a shell\) via\s+child_process\.execSync at fixtures\/core\/who-groups\.cjs:8/);
    expect(result.stdout).not.toMatch(/hunter2|=abc/);
    // The program's argv reaches the terminal with its control characters made visible.
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).toContain('\\x1b]0;title\\x07');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(120);
  });

  it('attributes network:connect like the api:call that opened it', async () => {
    const result = await aim(['inspect', '--', node, fixture('core/agent-app.mjs')]);
    expect(result.stdout).toMatch(/network:connect\s+used\s+95\s+app\s+net\.connect 127\.0\.0\.1:\d+ at fixtures\/core\/agent-app\.mjs:17/);
  });

  it('shows each process for what it is: the app, its MCP server, npm as a launcher', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aim-roles-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'roles', version: '1.0.0', scripts: { start: `node ${JSON.stringify(fixture('mcp/v1-stdio-env.cjs'))}` } }));
    const result = await aim(['inspect', 'npm', 'start', '--silent'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^launcher npm, pid \d+: node .*\n  \(a launcher's own file and process activity is not the program's: not counted\)$/m);
    // npm runs the script through sh, which is not a node process: the app starts a tree of its own.
    expect(result.stdout).toMatch(/^app, pid \d+: node .*v1-stdio-env\.cjs/m);
    expect(result.stdout).toMatch(/^ {2}MCP server, pid \d+: node .*server-everything\/dist\/index\.js stdio/m);
    expect(result.stdout).toMatch(/mcp:tool_use\s+used\s+95\s+app\s+mcp mcp-servers\/everything tools\/call echo/);
  });

  it('refuses a missing command with usage on stderr', async () => {
    const result = await aim(['inspect', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/usage: aim inspect/);
  });

  it('--help prints its usage on stdout and exits 0', async () => {
    const result = await aim(['inspect', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: aim inspect/);
  });
});

describe('aim conventions', () => {
  const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;

  it('--version and version print the package version', async () => {
    for (const flag of ['--version', '-v', 'version']) {
      const result = await aim([flag]);
      expect(result.code, flag).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
  });

  it('help, --help and -h list every command on stdout with 0; nothing at all is a usage error', async () => {
    for (const args of [['help'], ['--help'], ['-h']]) {
      const result = await aim(args);
      expect(result.code).toBe(0);
      for (const name of ['inspect', 'run', 'doctor', 'collector']) expect(result.stdout).toContain(`aim ${name}`);
    }
    const bare = await aim([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('usage: aim <command>');
  });

  it('every command answers --help, -h and `aim help <command>` with its own usage', async () => {
    for (const name of ['inspect', 'run', 'doctor', 'collector']) {
      for (const args of [[name, '--help'], [name, '-h'], ['help', name]]) {
        const result = await aim(args);
        expect(result.code, args.join(' ')).toBe(0);
        expect(result.stdout, args.join(' ')).toMatch(new RegExp(`^usage: aim ${name}`));
      }
    }
  });

  it('--help after the command belongs to the command', async () => {
    const result = await aim(['run', node, '-e', 'console.log(process.argv.slice(1).join(" "))', '--', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('--help\n');
  });

  it('an unknown command exits 2 with the usage on stderr', async () => {
    const result = await aim(['inspekt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "inspekt"');
  });
});

describe('aim inspect and a hostile MCP server', () => {
  // Any C0/C1 control or bidi override on the terminal is the attack.
  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  it('prints no terminal escapes, bounded names, and no token from what the server said', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'aim-hostile-')), 'merged.json');
    const table = await aim(['inspect', '--', node, fixture('mcp/hostile-client.cjs')]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('tools: 2');
    expect(table.stdout).not.toMatch(CONTROL);
    expect(table.stdout).not.toContain('ghp_1234567890');
    // The faked line is not a line of its own.
    expect(table.stdout.split('\n').filter((l) => l.startsWith('FAKE'))).toEqual([]);
    expect(table.stdout).toMatch(/evil\[2J\]0;pwned-title FAKE ok/);

    const json = await aim(['inspect', '--out', out, '--', node, fixture('mcp/hostile-client.cjs')]);
    expect(json.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toMatch(/\\u001b|\\u0007|\\n FAKE|\u009b|\u202e/);
    const merged = JSON.parse(text) as MergedInventory;
    const server = merged.mcpServers.find((s) => s.serverInfo?.name.startsWith('evil'))!;
    expect(server.serverInfo!.version).toBe('1.0.0[31m2J [REDACTED]');
    // What it says of itself: one line each, bounded, no token, no website that is not http(s).
    expect(server.serverInfo!.title).toBe('Totally Safe]0;pwned FAKE ok');
    expect(server.serverInfo!.description!.startsWith('Reads files. FAKE ok    all good [REDACTED] zzz')).toBe(true);
    expect(server.serverInfo!.description!.length).toBeLessThanOrEqual(1000);
    expect(server.serverInfo!.websiteUrl).toBeUndefined();
    for (const name of [...(server.tools ?? []), ...(server.toolsCalled ?? [])]) expect(name.length).toBeLessThanOrEqual(200);
    expect(server.toolsCalled).toEqual(['read[2Kfile']);
  });
});
