import { describe, expect, it } from 'vitest';
import { collapse, nodeTarget } from '../src/cli/policy-grants.js';
import { programsOfSpawn } from '../src/catalog/index.js';
import type { PathEntry } from '../src/inventory/index.js';

const read = (path: string, extra: Partial<PathEntry> = {}): PathEntry => ({ path, access: 'read', api: 'fs.readFileSync', who: 'app', ...extra });

describe('nodeTarget: the flags each Node takes', () => {
  it.each([
    ['v20.20.2', '--experimental-permission', false],
    ['v22.12.0', '--experimental-permission', false],
    ['v22.13.0', '--permission', false],
    ['v23.4.0', '--experimental-permission', false],
    ['v23.5.0', '--permission', false],
    ['v24.0.0', '--permission', false],
    ['v25.0.0', '--permission', true],
    ['26', '--permission', true],
  ])('%s: %s, network gated: %s', (version, flag, net) => {
    expect(nodeTarget(version).permissionFlag).toBe(flag);
    expect(nodeTarget(version).gatesNet).toBe(net);
  });
});

describe('collapse: grants as narrow as the evidence', () => {
  it('keeps up to three files of a directory as files; four make the directory', () => {
    expect(collapse(['a', 'b', 'c'].map((n) => read(`/srv/data/${n}`))).map((g) => g.path)).toEqual(['/srv/data/a', '/srv/data/b', '/srv/data/c']);
    expect(collapse(['a', 'b', 'c', 'd'].map((n) => read(`/srv/data/${n}`)))).toEqual([{ path: '/srv/data', why: '4 paths in it were used' }]);
  });

  it('drops what a granted directory or mkdtemp prefix covers', () => {
    const grants = collapse([read('/srv/inbox', { api: 'fs.readdirSync' }), read('/srv/inbox/a.txt'), { path: '/tmp/out/job-', access: 'write', form: 'prefix' }, { path: '/tmp/out/job-x1/part', access: 'write' }]);
    expect(grants.map((g) => g.path)).toEqual(['/srv/inbox', '/tmp/out/job-*']);
  });

  it('never collapses into a top-level directory or the home directory', () => {
    const etc = collapse(['hosts', 'resolv.conf', 'passwd', 'group'].map((n) => read(`/etc/${n}`)));
    expect(etc).toHaveLength(4);
    const home = collapse(['.a', '.b', '.c', '.d'].map((n) => read(`/home/me/${n}`)), '/home/me');
    expect(home).toHaveLength(4);
  });

  it('gathers package directories of one node_modules', () => {
    const packages = ['a', 'b', 'c', 'd'].map((n): PathEntry => ({ path: `/srv/app/node_modules/${n}`, access: 'load' }));
    expect(collapse(packages)).toEqual([{ path: '/srv/app/node_modules', why: '4 packages in it were used' }]);
  });
});

describe('programsOfSpawn: program names, never arguments', () => {
  it.each([
    ['spawn', ['/usr/bin/curl', ['-d', '@secret', 'https://x']], ['curl']],
    ['exec', ['cat a | nc host 9 && FOO=1 wget x; $(ssh h)'], ['cat', 'nc', 'wget', 'ssh']],
    ['execFile', ['bash', ['-c', 'scp f h:']], ['bash', 'scp']],
    ['spawn', [42], []],
  ] as const)('%s %j', (api, args, programs) => {
    expect(programsOfSpawn(api, args as unknown as unknown[])).toEqual(programs);
  });
});
