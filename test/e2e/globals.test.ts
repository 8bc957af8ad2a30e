/**
 * The app never notices the agent (defect class 1): with the reporter loaded (zod, the AIM
 * client), the program's string-keyed globals are exactly what they are without the agent.
 */
import { describe, expect, it } from 'vitest';
import { fixture, runFixture } from '../helpers/agent-run.js';

describe('globals', () => {
  it('adds no string-keyed global, with the reporter loaded', async () => {
    const file = fixture('fidelity', 'globals.mjs');
    // A reporter with somewhere to send to that answers nothing: it loads, zod and all.
    const env = { AIM_API_KEY: 'aim_test_key', AIM_URL: 'http://127.0.0.1:9', AIM_LOG_LEVEL: 'silent' };
    const plain = await runFixture(file, { mode: 'none', env });
    const agent = await runFixture(file, { mode: 'import', env });
    expect(agent.inventories.length).toBe(1);
    const names = (r: typeof plain) => JSON.parse(r.stdout.toString()) as string[];
    expect(names(agent)).toEqual(names(plain));
  });
});
