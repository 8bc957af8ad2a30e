import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyDesired } from '../src/report/aim/payload.js';
import { Spool, spoolFiles } from '../src/report/aim/spool.js';
import { tempDir } from './helpers/collector.js';

/**
 * The spool's files: one per process, written only by it; a process takes the files of
 * processes that no longer run (never a running one's), keeps what they held in its own file
 * before removing theirs, and adds tool-usage counts up.
 */
function spoolIn(): { dir: string; file: string } {
  const dir = join(tempDir('aim-spool-'), 'spool');
  mkdirSync(dir, { mode: 0o700 });
  return { dir, file: join(dir, 'abc123.json') };
}

/** The pid of a process that has ended. */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

function entry(capability: string, usage: number): string {
  return JSON.stringify({
    v: 1,
    writtenAt: new Date().toISOString(),
    capabilities: [{ id: capability, scope: {} }],
    detections: [],
    servers: [],
    records: [{ identity: 'mcp:x', body: { name: 'x', url: 'mcp:x', transport: 'stdio' } }],
    connections: [{ identity: 'mcp:x', name: 'x', tool: 'echo' }],
    usage: [{ identity: 'mcp:x', tool: 'echo', count: usage, firstUsed: '2026-01-01T00:00:00.000Z', lastUsed: '2026-01-02T00:00:00.000Z' }],
  });
}

describe('spool files', () => {
  it('takes the files of ended processes and an older version’s, never a running process’s', () => {
    const { dir, file } = spoolIn();
    const ended = deadPid();
    writeFileSync(join(dir, `abc123.${ended}.json`), entry('file:read', 2), { mode: 0o600 });
    writeFileSync(join(dir, 'abc123.json'), entry('file:write', 3), { mode: 0o600 });
    writeFileSync(join(dir, `abc123.${process.ppid}.json`), entry('api:call', 5), { mode: 0o600 });
    writeFileSync(join(dir, 'other.1.json'), entry('db:read', 7), { mode: 0o600 });
    const spool = new Spool(file);
    const claimed = spool.claim()!;
    expect([...claimed.desired.capabilities.keys()].sort()).toEqual(['cap:file:read', 'cap:file:write']);
    expect(claimed.desired.records.size).toBe(1);
    expect(claimed.desired.connections.size).toBe(1);
    expect(claimed.usage).toEqual([{ identity: 'mcp:x', tool: 'echo', count: 5, firstUsed: '2026-01-01T00:00:00.000Z', lastUsed: '2026-01-02T00:00:00.000Z' }]);
    // Kept in this process's own file at once; theirs are gone; the running one's and another agent's stay.
    expect(readdirSync(dir).sort()).toEqual([`abc123.${process.pid}.json`, `abc123.${process.ppid}.json`, 'other.1.json'].sort());
    expect(JSON.parse(readFileSync(spool.own, 'utf8')).usage[0].count).toBe(5);
  });

  it('removes its own file once nothing is left to send, and writes none for the integration entry alone', () => {
    const { file } = spoolIn();
    const spool = new Spool(file);
    const pending = emptyDesired();
    pending.detections.set('det:aim-sdk-integration|sdk_integration', { mcpServer: 'aim-sdk-integration', detectionMethod: 'sdk_integration', confidence: 100, details: {}, sdkVersion: 'x', timestamp: 'now' });
    expect(spool.save(pending, [])).toBe(true);
    expect(existsSync(spool.own)).toBe(false);
    pending.capabilities.set('cap:file:read', { id: 'file:read', scope: {} });
    spool.save(pending, []);
    expect(spoolFiles(file).map((f) => f.pid)).toEqual([process.pid]);
    spool.save(emptyDesired(), []);
    expect(existsSync(spool.own)).toBe(false);
  });
});
