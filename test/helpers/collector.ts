import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '../../src/collector/index.js';
import { loadConfig, type LoadedConfig } from '../../src/config/index.js';
import { Inventory, type CapabilityId } from '../../src/inventory/index.js';
import type { McpServer } from '../../src/inventory/index.js';

/** A fresh key in AIM's format (`aim_live_` + padded URL-safe base64 of 32 bytes). */
export function newKey(): string {
  return `aim_live_${randomBytes(32).toString('base64url')}=`;
}

export function newAgent(name = `agent-${randomBytes(3).toString('hex')}`): { id: string; name: string } {
  return { id: randomUUID(), name };
}

export function tempDir(prefix = 'aim-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function makeInventory(launcher?: string): Inventory {
  return new Inventory(
    { pid: process.pid, ppid: process.ppid, argv: ['node', 'app.js'], cwd: process.cwd(), node: process.version, ...(launcher ? { launcher } : {}) },
    { version: '0.1.0', hookMode: 'sync', visibility: 'full', preloadMs: 1, internalErrors: 0 },
  );
}

export function use(inventory: Inventory, id: CapabilityId, api = `api-for-${id}`, strength: 'used' | 'loaded' = 'used'): void {
  inventory.addEvidence(id, { strength, api, who: 'app', firstSeen: new Date().toISOString() }, 90);
}

export function server(name: string, extra: Partial<McpServer> = {}): McpServer {
  return {
    key: `npx -y ${name}`,
    name,
    transport: 'stdio',
    command: 'npx',
    args: ['-y', name],
    detectionMethod: 'sdk_runtime',
    confidence: 95,
    failed: false,
    ...extra,
  };
}

/** Config as the agent would load it from these variables. */
export function configFor(env: Record<string, string>): LoadedConfig {
  return loadConfig({ AIM_LOG_LEVEL: 'silent', ...env });
}

export const FAST = {
  quietMs: 50,
  quietMaxMs: 200,
  debounceMs: 50,
  debounceMaxMs: 200,
  requestTimeoutMs: 2000,
  backoffBaseMs: 50,
  backoffMaxMs: 400,
};

export async function until<T>(what: () => T | undefined | false, timeoutMs = 10_000, stepMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = what();
    if (value) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A collector of the API-key generation that knows one agent and key, closed by `cleanup`, and
 * the environment a reporting child needs, with its own state and spool directory
 * ($XDG_STATE_HOME/aim/spool) so that tests stay apart.
 */
export async function apiKeyAim(cleanup: (() => unknown)[], rateLimit: number) {
  const key = newKey();
  const agent = newAgent();
  const dir = tempDir();
  const store = join(dir, 'store.jsonl');
  const collector = await startCollector({ agents: [agent], keys: [key], rateLimit, store, log: () => {} });
  cleanup.push(() => collector.close());
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const spoolDir = join(tmp, 'aim', 'spool');
  const env = (extra: Record<string, string> = {}) => ({
    AIM_API_KEY: key,
    AIM_URL: collector.url,
    AIM_AGENT_ID: agent.id,
    TMPDIR: tmp,
    XDG_STATE_HOME: tmp,
    ...extra,
  });
  return { key, agent, dir, store, spoolDir, collector, env };
}
