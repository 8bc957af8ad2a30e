/**
 * `aim inspect` runs a command with the agent preloaded in its whole process tree and prints the
 * merged inventory; the command keeps its stdout and exit code.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MergedInventory } from '../../src/inventory/index.js';
import { baseEnv, fixture, node, repo } from '../helpers/agent-run.js';

function aim(args: string[], cwd = repo): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repo, 'dist/cli.mjs'), ...args], { cwd, env: baseEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

describe('aim inspect', () => {
  it('prints the merged inventory of a process tree as JSON', async () => {
    const result = await aim(['inspect', '--json', '--', node, fixture('core/agent-app.mjs')]);
    expect(result.code).toBe(0);
    const json = result.stdout.slice(result.stdout.indexOf('{'));
    const merged = JSON.parse(json) as MergedInventory;
    expect(result.stdout).toMatch(/^child worker\nanswer written to .*answer\.txt\n\{/);
    expect(merged.processes.length).toBeGreaterThanOrEqual(2);
    const ids = merged.capabilities.map((c) => `${c.id}:${c.strength}`);
    for (const id of ['file:read', 'file:write', 'system:exec', 'api:call', 'ai:model_call', 'network:listen', 'network:connect']) {
      expect(ids).toContain(`${id}:used`);
    }
    expect(merged.mcpServers).toEqual([]);
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

  it('refuses a missing command with usage on stderr', async () => {
    const result = await aim(['inspect', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/usage: aim inspect/);
  });
});
