/**
 * The inventory's bundle (src/register/core.ts): what waited for it is inferred in order with the
 * time it was seen, and the hooks' internal errors show in the inventory.
 */
import { describe, expect, it } from 'vitest';
import type { Observation } from '../src/observations/index.js';
import { startCore, type CoreHost } from '../src/register/core.js';

function host(errors: { count: number }): CoreHost {
  return {
    startedAs: { argv: ['/usr/bin/node', '/srv/app.js', '--token', 'hunter2-secret-value'], cwd: '/srv' },
    agent: { version: 't', hookMode: 'sync', visibility: 'full', preloadMs: 1, internalErrors: 0 },
    start: { directory: '/nonexistent-aim-test', entry: undefined },
    sinks: { reportToAim: false, loadReporter: () => undefined },
    scanRequireCache: () => {},
    internalErrors: () => errors.count,
    internalError: () => errors.count++,
    parseConfig: () => undefined,
  };
}

const caller = { who: 'app', location: '/srv/app.js:3' } as const;

describe('startCore', () => {
  it('infers what waited, with the time each was seen, then what comes live', () => {
    const waited: [Observation, number][] = [[{ kind: 'api', module: 'fs', api: 'fs.readFileSync', caller, variant: 'file:read' }, Date.parse('2026-01-02T03:04:05.000Z')]];
    const core = startCore(host({ count: 0 }), waited);
    core.take({ kind: 'api', module: 'child_process', api: 'child_process.spawn', caller, variant: 'system:exec', command: { words: ['/usr/bin/git', 'push', '--token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'], shell: false } }, Date.now());
    const snapshot = core.inventory.snapshot();
    expect(snapshot.capabilities.find((c) => c.id === 'file:read')!.evidence[0]!.firstSeen).toBe('2026-01-02T03:04:05.000Z');
    const exec = snapshot.capabilities.find((c) => c.id === 'system:exec')!.evidence[0]!;
    expect(exec.details).toEqual({ command: 'git push --token [REDACTED]', shell: 'false' });
    expect(snapshot.process.argv).toEqual(['/usr/bin/node', '/srv/app.js', '--token', '[REDACTED]']);
  });

  it('shows the hooks’ internal errors in the inventory as of each read', () => {
    const errors = { count: 2 };
    const core = startCore(host(errors), []);
    expect(core.inventory.snapshot().agent.internalErrors).toBe(2);
    errors.count++;
    expect(core.inventory.snapshot().agent.internalErrors).toBe(3);
  });
});
