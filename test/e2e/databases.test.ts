/**
 * Databases by use (defect class 3): a driver talking to its real server is use, read or write
 * by its statements; anyone else's connection to a database's well-known port is a hint, never a
 * grant. Real PostgreSQL and Redis servers on loopback, started here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capability, fixture, inventoryOf, runFixture } from '../helpers/agent-run.js';
// @ts-expect-error: plain .mjs script without types
import { startPostgres, startRedis } from '../../compat/servers.mjs';

type Server = { url: string; stop(): void };
let postgres: Server;
let redis: Server;
beforeAll(async () => {
  [postgres, redis] = (await Promise.all([startPostgres(), startRedis()])) as [Server, Server];
}, 120_000);
afterAll(() => {
  postgres?.stop();
  redis?.stop();
});

describe('databases by use', () => {
  it('pg and ioredis statements are read or write use by the driver; a bare port connect is a hint', async () => {
    const file = fixture('fidelity', 'databases.mjs');
    const result = await runFixture(file, { env: { DATABASE_URL: postgres.url, REDIS_URL: redis.url } });
    expect(result.stdout.toString(), result.stderr).toBe('done\n');
    const inventory = inventoryOf(result, file);
    const read = capability(inventory, 'db:read')!;
    const write = capability(inventory, 'db:write')!;
    expect(read.strength).toBe('used');
    expect(write.strength).toBe('used');
    const used = (c: typeof read) => c.evidence.filter((e) => e.strength === 'used').map((e) => `${e.who} ${e.api}`);
    expect(used(write)).toEqual(expect.arrayContaining(['pg postgres CREATE', 'pg postgres INSERT']));
    expect(used(read)).toEqual(['ioredis redis GET']);
    // The app's own connect to 5432 is a hint only, on both.
    for (const c of [read, write]) {
      const hint = c.evidence.find((e) => e.strength === 'hint');
      expect(hint).toMatchObject({ who: 'app', api: 'net.connect 127.0.0.1:5432', details: { database: 'postgres' } });
    }
  });
});
