/**
 * Configuration is checked at startup, for free, and `aim doctor` checks exactly what the agent
 * would use (issue 15 finding 8): a bad value says so once even without a key, and doctor never
 * tests a default in place of a value the agent would reject.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fixture, repo, runFixture } from '../helpers/agent-run.js';
import { runNode } from '../helpers/collector-child.js';
import { tempDir } from '../helpers/collector.js';

describe('bad values without a key', () => {
  it('AIM_DISABLED=maybe, a bad AIM_LOG_LEVEL and AIM_PROTOCOL: one warning each, the app untouched', async () => {
    const result = await runFixture(fixture('core/echo.cjs'), {
      env: { AIM_DISABLED: 'maybe', AIM_PROTOCOL: 'v3', AIM_CAPABILITIES: 'all', AIM_FLUSH_TIMEOUT_MS: 'soon' },
    });
    expect(result.code).toBe(0);
    const lines = result.stderr.trim().split('\n').sort();
    expect(lines).toEqual([
      'aim warn AIM-C001-AIM_CAPABILITIES: AIM_CAPABILITIES "all" is not valid; using the default "grant".',
      'aim warn AIM-C001-AIM_DISABLED: AIM_DISABLED "maybe" is not a boolean (1/0, true/false, yes/no, on/off); the agent stays on.',
      'aim warn AIM-C001-AIM_FLUSH_TIMEOUT_MS: AIM_FLUSH_TIMEOUT_MS "soon" is not valid; using the default 2000.',
      'aim warn AIM-C001-AIM_PROTOCOL: AIM_PROTOCOL "v3" is not valid; using the default "auto".',
    ]);
    // The agent ran: the inventory was written.
    expect(result.inventories).toHaveLength(1);
  });

  it('a bad AIM_LOG_LEVEL and AIM_URL say so once', async () => {
    const result = await runFixture(fixture('core/echo.cjs'), { env: { AIM_LOG_LEVEL: 'loud', AIM_URL: 'not-a-url' } });
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split('\n').sort()).toEqual([
      'aim warn AIM-C001-AIM_LOG_LEVEL: AIM_LOG_LEVEL "loud" is not valid; using the default "warn".',
      'aim warn AIM-C002-AIM_URL: AIM_URL "not-a-url" is not valid; reporting to AIM is off for this process.',
    ]);
  });
});

describe('AIM_BASE_URL, the alias of AIM_URL', () => {
  const key = `aim_live_${'k'.repeat(44)}`;
  const warnings = (stderr: string) => stderr.trim().split('\n').filter(Boolean).sort();

  it('a bad value, with a key: one warning, named after the variable that was set', async () => {
    for (const value of ['not-a-url', 'ftp://x']) {
      const result = await runFixture(fixture('core/echo.cjs'), { env: { AIM_BASE_URL: value, AIM_API_KEY: key, AIM_AGENT_ID: 'x' } });
      expect(result.code).toBe(0);
      expect(warnings(result.stderr)).toEqual([`aim warn AIM-C002-AIM_BASE_URL: AIM_BASE_URL "${value}" is not valid; reporting to AIM is off for this process.`]);
    }
  });

  it('plain http off loopback, given as AIM_BASE_URL: the refusal names AIM_BASE_URL', async () => {
    const result = await runFixture(fixture('core/echo.cjs'), { env: { AIM_BASE_URL: 'http://aim.example.com:8080', AIM_API_KEY: key, AIM_AGENT_ID: 'x' } });
    expect(result.code).toBe(0);
    expect(warnings(result.stderr)).toEqual([expect.stringMatching(/^aim warn AIM-R001: AIM_BASE_URL http:\/\/aim\.example\.com:8080 is plain http/)]);
  });

  it('a bad value beside a good AIM_URL (which wins): no warning, nothing off', async () => {
    const result = await runFixture(fixture('core/echo.cjs'), { env: { AIM_BASE_URL: 'not-a-url', AIM_URL: 'http://127.0.0.1:9', AIM_FLUSH_TIMEOUT_MS: '0' } });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('aim doctor', () => {
  const cli = join(repo, 'dist/cli.mjs');

  it('AIM_URL=not-a-url: a failure, never "would work" with the default URL', async () => {
    const dir = tempDir();
    const result = await runNode([cli, 'doctor'], { AIM_URL: 'not-a-url', AIM_API_KEY: `aim_live_${'a'.repeat(44)}`, AIM_AGENT_ID: 'x', XDG_STATE_HOME: dir, XDG_CONFIG_HOME: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL +AIM_URL is not valid/);
    expect(result.stdout).not.toContain('127.0.0.1:8080');
    expect(result.stdout).not.toMatch(/would work/i);
  });

  it('a spool directory the agent would refuse is a failure', async () => {
    const dir = tempDir();
    const { chmodSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'spool'));
    chmodSync(join(dir, 'spool'), 0o777);
    const result = await runNode([cli, 'doctor'], { AIM_SPOOL_DIR: join(dir, 'spool'), AIM_URL: 'http://127.0.0.1:9', XDG_CONFIG_HOME: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL +.*spool is writable by others: the agent keeps no spool or state there/);
  });
});
