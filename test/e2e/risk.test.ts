import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, inventoryOf, runFixture } from '../helpers/agent-run.js';

/** A real program reading fake credentials in a fake home: the flags name path and kind, never a value. */
describe('risk signals', () => {
  let home: string;
  const secret = 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'aim-risk-home-'));
    mkdirSync(join(home, '.aws'));
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.aws', 'credentials'), `[default]\n${secret}\n`);
    writeFileSync(join(home, '.ssh', 'id_ed25519'), 'PRIVATE KEY');
    writeFileSync(join(home, '.bashrc'), '# bashrc\n');
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  for (const paths of ['first', 'all']) {
    it(`flags credential reads, start-up file writes, network tools and webhook hosts (AIM_PATHS=${paths})`, async () => {
      const file = fixture('policy', 'risky.cjs');
      const result = await runFixture(file, { mode: 'require', cwd: home, env: { HOME: home, AIM_PATHS: paths } });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toMatch(/AIM-C003/);
      const inventory = inventoryOf(result, file)!;
      const flags = Object.fromEntries((inventory.risks ?? []).map((r) => [`${r.kind} ${r.subject}`, r]));
      expect(flags['credential-read ~/.aws/credentials']).toMatchObject({ severity: 'high', label: 'AWS credentials', who: 'app', api: 'fs.readFileSync' });
      expect(flags['credential-read ~/.aws/credentials']!.location).toBe(`${file}:10`);
      expect(flags['credential-read ~/.ssh/id_ed25519']).toMatchObject({ label: 'SSH private key', api: 'fs.promises.readFile' });
      expect(flags['credential-probe ~/.env']).toMatchObject({ severity: 'low', api: 'fs.existsSync' });
      expect(flags['shell-startup-write ~/.bashrc']).toMatchObject({ severity: 'critical', api: 'fs.appendFileSync' });
      expect(flags['network-tool-spawn curl']).toMatchObject({ api: 'child_process.execSync' });
      expect(flags['exfil-host webhook.site']).toMatchObject({ label: 'webhook' });
      expect(Object.keys(flags)).toHaveLength(6);
      const text = JSON.stringify(result.inventories);
      expect(text).not.toContain('wJalrXUtnFEMI');
      expect(JSON.stringify([inventory.paths, inventory.risks])).not.toContain(home); // the home directory is `~`
      expect(inventory.paths).toContainEqual({ path: '~/.aws/credentials', access: 'read', api: 'fs.readFileSync', who: 'app' });
      expect(readFileSync(join(home, '.bashrc'), 'utf8')).toContain('touched by the risky fixture');
    });
  }
});
