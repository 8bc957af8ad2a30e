/**
 * `aim doctor`'s own look at this machine and at a server it cannot use: Node and the hook mode,
 * AIM_OUTPUT, a TLS failure said to be one, and the spool mentioned even when AIM is unreachable.
 * The real CLI (dist/cli.mjs) as a child process; a real plain-HTTP server stands for a
 * misconfigured https URL.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spoolPath } from '../../src/report/aim/files.js';
import { runCli } from '../helpers/cli.js';

const KEY = 'aim_live_ZG9jdG9yLXRlc3Qta2V5LW5vdC1hLXJlYWwtb25lLTAxMjM0NTY3';

const doctor = (env: Record<string, string>) => runCli(['doctor'], { env });

describe('aim doctor, locally', () => {
  it('reports the Node version, the hook mode and AIM_OUTPUT', async () => {
    const output = mkdtempSync(join(tmpdir(), 'aim-doctor-out-'));
    const r = await doctor({ AIM_OUTPUT: output, AIM_DISABLED_HOOKS: 'mcp', AIM_ENVIRONMENT: 'staging' });
    expect(r.code).toBe(1); // no key
    expect(r.stdout).toMatch(new RegExp(`note {2}Node ${process.version.replace(/\./g, '\\.')}; hook mode (sync|cjs-only) `));
    expect(r.stdout).toContain(`note  AIM_OUTPUT is ${output}: each process writes <pid>.json there.`);
    expect(r.stdout).toContain('note  AIM_DISABLED_HOOKS turns off: mcp.');
    expect(r.stdout).toContain('note  deployment identity sent to AIM: environment staging.');
    const unwritable = await doctor({ AIM_OUTPUT: '/proc/aim-doctor-cannot-write-here' });
    expect(unwritable.stdout).toContain('FAIL  AIM_OUTPUT is /proc/aim-doctor-cannot-write-here, which is not a writable directory');
  });

  it('says a TLS failure is a TLS failure', async () => {
    const server = createServer((_, res) => res.end('plain http'));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    try {
      const r = await doctor({ AIM_URL: `https://127.0.0.1:${port}`, AIM_API_KEY: KEY, AIM_AGENT_ID: 'bot' });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`FAIL {2}TLS failed talking to https://127\\.0\\.0\\.1:${port} \\([A-Z_]+\\)`));
      expect(r.stdout).toContain('NODE_EXTRA_CA_CERTS');
    } finally {
      server.close();
    }
  });

  it('mentions reports waiting in the spool when AIM is unreachable', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'aim-doctor-spool-'));
    const url = 'http://127.0.0.1:1';
    const file = spoolPath(spoolDir, new URL(url).href, 'bot');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ capabilities: [{ id: 'file:read' }], detections: [], writtenAt: '2026-12-04T10:00:00.000Z' }));
    const r = await doctor({ AIM_URL: url, AIM_API_KEY: KEY, AIM_AGENT_ID: 'bot', AIM_SPOOL_DIR: spoolDir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('cannot reach http://127.0.0.1:1');
    expect(r.stdout).toContain(`reports left unsent by an earlier run wait in ${file} (1 capabilities, 0 detections`);
  });
});
