/**
 * What a user gets: the package from `npm pack`, installed into a fresh directory outside the
 * repo, run on a program it has never seen with `npx aim inspect --json -- node app.mjs`.
 * The CLI runs on the PATH's node (npx); the program runs on the node under test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InventorySnapshot } from '../../src/inventory/index.js';
import type { InspectDocument } from '../../src/cli/inspect.js';
import { baseEnv, node, repo } from '../helpers/agent-run.js';

const app = `
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import net from 'node:net';
const listing = fs.readdirSync('.');
fs.appendFileSync('log.txt', listing.join(',') + '\\n');
spawnSync('true');
const server = net.createServer().listen(0, '127.0.0.1', () => server.close());
`;

describe('the packed package', () => {
  it('installs into a fresh directory and inspects a program it has never seen', { timeout: 180_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'aim-pack-'));
    const env = baseEnv({ npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false' });
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: repo, env, encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('npm', ['init', '-y'], { cwd: work, env, stdio: 'ignore' });
    execFileSync('npm', ['install', join(work, tarball)], { cwd: work, env, stdio: 'ignore' });
    writeFileSync(join(work, 'app.mjs'), app);
    const stdout = execFileSync('npx', ['aim', 'inspect', '--json', '--', node, 'app.mjs'], { cwd: work, env, encoding: 'utf8' });
    const merged = JSON.parse(stdout) as InspectDocument;
    expect(merged.schema).toBe('aim.inspect/v1');
    // aim is the observer, not one of the app's packages: not in inspect, not in the inventory files.
    expect(merged.processes.flatMap((p) => p.packages.map((pkg) => pkg.name))).not.toContain('aim');
    const output = mkdtempSync(join(tmpdir(), 'aim-pack-out-'));
    for (const flag of ['--import', '--require']) execFileSync(node, [flag, 'aim/register', 'app.mjs'], { cwd: work, env: { ...env, AIM_OUTPUT: output } });
    for (const file of readdirSync(output)) {
      const snapshot = JSON.parse(readFileSync(join(output, file), 'utf8')) as InventorySnapshot;
      expect(snapshot.packages.map((pkg) => pkg.name)).not.toContain('aim');
    }
    expect(readdirSync(output)).toHaveLength(2);
    const used = merged.capabilities.filter((c) => c.strength === 'used').map((c) => c.id);
    expect(used).toEqual(['file:read', 'file:write', 'network:listen', 'system:exec']);
    expect(merged.capabilities.find((c) => c.id === 'file:write')?.evidence[0]?.location).toBe(`${join(work, 'app.mjs')}:6`);
  });
});
