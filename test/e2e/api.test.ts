import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, modes, repo, runFixture, type Mode } from '../helpers/agent-run.js';

const runApiFixture = (mode: Mode) =>
  runFixture(fixture('core/api.cjs'), {
    mode,
    // No sink: AIM_OUTPUT unset, no key.
    env: { AIM_OUTPUT: undefined, API_MODULE: join(repo, 'dist/index.cjs') },
    cwd: fixture('core'),
  });

describe('the programmatic API', () => {
  it.each(modes)('lists what loaded after startup, with no sink configured (%s)', async (mode) => {
    const result = await runApiFixture(mode);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.toString())).toEqual({ packages: ['fake-cjs@1.0.0'], heard: true });
  });

  it('answers undefined without the agent', async () => {
    const result = await runApiFixture('none');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.toString())).toEqual({ packages: null, heard: false });
  });

  it('reads .mcp.json beside the entry file as it was at startup, though the program rewrote argv and changed directory first', async () => {
    const project = mkdtempSync(join(tmpdir(), 'aim-api-entry-'));
    writeFileSync(join(project, '.mcp.json'), JSON.stringify({ mcpServers: { beside: { command: 'node', args: ['server.js'] } } }));
    const elsewhere = mkdtempSync(join(tmpdir(), 'aim-api-elsewhere-'));
    writeFileSync(join(elsewhere, '.mcp.json'), JSON.stringify({ mcpServers: { wrong: { command: 'node', args: ['wrong.js'] } } }));
    const entry = join(project, 'app.cjs');
    // With no sink the inventory is first read by getInventory(), after these two lines.
    writeFileSync(
      entry,
      [
        'const api = require(process.env.API_MODULE);',
        `process.argv[1] = ${JSON.stringify(join(elsewhere, 'app.cjs'))};`,
        `process.chdir(${JSON.stringify(elsewhere)});`,
        'process.stdout.write(JSON.stringify(api.getInventory().mcpServers.map((s) => s.name)));',
      ].join('\n'),
    );
    const home = mkdtempSync(join(tmpdir(), 'aim-api-home-'));
    const result = await runFixture(entry, { env: { AIM_OUTPUT: undefined, API_MODULE: join(repo, 'dist/index.cjs'), HOME: home }, cwd: project });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.toString())).toEqual(['beside']);
  });
});
