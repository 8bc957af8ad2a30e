/**
 * Drift: a capability used outside the local allow-list (AIM_ALLOWLIST) warns once with a code and
 * reaches AIM as a capability request, never a grant; the program itself is never stopped.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector } from '../../src/collector/index.js';
import { repoRoot } from '../helpers/collector-bundle.js';
import { runNode } from '../helpers/collector-child.js';
import { newAgent, newKey, tempDir } from '../helpers/collector.js';

const register = join(repoRoot, 'dist', 'register.mjs');
/** Reads a file (file:read); FIXTURE_EXEC=1 runs a command (system:exec). */
const app = join(repoRoot, 'fixtures', 'signed', 'app.mjs');
const built = existsSync(register) && existsSync(join(repoRoot, 'dist', 'reporter.cjs'));
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe.skipIf(!built)('drift against AIM_ALLOWLIST', () => {
  it('warns once per capability outside the list, requests it from AIM instead of granting, and the program runs on', async () => {
    const key = newKey();
    const agent = newAgent();
    const dir = tempDir();
    const collector = await startCollector({ agents: [agent], keys: [key], rateLimit: 100, store: join(dir, 'store.jsonl'), log: () => {} });
    cleanup.push(() => collector.close());
    // The shape `aim policy --json` writes: its aim.capabilities is the allow-list.
    const allowList = join(dir, 'policy.json');
    writeFileSync(allowList, JSON.stringify({ schema: 'aim.policy/v1', aim: { capabilities: ['file:read'] } }));
    const env = { AIM_API_KEY: key, AIM_URL: collector.url, AIM_AGENT_ID: agent.id, TMPDIR: dir, AIM_ALLOWLIST: allowList, FIXTURE_EXEC: '1' };
    const result = await runNode(['--import', register, app], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('signed app\n');
    const warnings = result.stderr.trim().split('\n');
    expect(warnings).toEqual([expect.stringMatching(/^aim warn AIM-D001-system:exec: system:exec was used outside the allow-list .*policy\.json \(child_process\.\w+ by app at .*app\.mjs:\d+\); aim does not block it/)]);
    const received = collector.received();
    const grants = received.filter((r) => r.route === 'capabilities').map((r) => (r.body as { capabilityType: string }).capabilityType);
    const requests = received.filter((r) => r.route === 'capability-requests').map((r) => (r.body as { capability_type: string }).capability_type);
    expect(grants).toEqual(['file:read']);
    expect(requests).toEqual(['system:exec']);
  });

  it('a bad allow-list file: one warning, no drift check, reporting as usual', async () => {
    const dir = tempDir();
    const allowList = join(dir, 'allow.json');
    writeFileSync(allowList, '{"capabilities": "file:read"}');
    const result = await runNode(['--import', register, app], { AIM_ALLOWLIST: allowList, FIXTURE_EXEC: '1', TMPDIR: dir });
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^aim warn AIM-D002: the allow-list .* is not a list of capability ids/)]);
  });
});
