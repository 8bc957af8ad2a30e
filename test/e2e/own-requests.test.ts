/**
 * aim leaves its own HTTP out of the program's inventory by the reporter's socket pool, never by a
 * header: a program that sends `User-Agent: aim-node/…` (copied headers, a proxy, an attacker who
 * wants its calls hidden) keeps its api:call evidence, and the reporter's requests still never
 * count as the program's.
 */
import { describe, expect, it } from 'vitest';
import { startCollector } from '../../src/collector/index.js';
import { capability, fixture, runFixture } from '../helpers/agent-run.js';
import { newAgent, newKey, tempDir } from '../helpers/collector.js';

describe("aim's own requests", () => {
  it('an app request with aim\'s User-Agent is the app\'s; the reporter\'s requests are not', async () => {
    const key = newKey();
    const agent = newAgent();
    const collector = await startCollector({ agents: [agent], keys: [key], log: () => {} });
    try {
      const collectorPort = new URL(collector.url).port;
      const result = await runFixture(fixture('core/spoofed-user-agent.cjs'), {
        env: { AIM_API_KEY: key, AIM_URL: collector.url, AIM_AGENT_ID: agent.id, XDG_STATE_HOME: tempDir(), FIXTURE_STAY_MS: '1500' },
      });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const inventory = result.inventories[0];
      // Only the wire hook sees the path of an LLM call: with the header taken for aim's, it vanished.
      const model = capability(inventory, 'ai:model_call')?.evidence.map((e) => e.api) ?? [];
      expect(model).toEqual(['http.request POST http://localhost']);
      // The reporter talks to 127.0.0.1 (the app to localhost): none of it is evidence.
      const everything = inventory!.capabilities.flatMap((c) => c.evidence.map((e) => e.api));
      expect(everything.filter((api) => api.includes('127.0.0.1') || api.includes(`:${collectorPort}`))).toEqual([]);
      // The reporter did talk to AIM meanwhile.
      expect(collector.received().length).toBeGreaterThan(0);
    } finally {
      await collector.close();
    }
  });
});
