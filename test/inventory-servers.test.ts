/**
 * The one merge rule for MCP server records (inventory/servers.ts), over every pair of detection
 * methods and every kind of field, live (Inventory.upsertServer) and across processes
 * (mergeSnapshots, what `aim inspect` prints).
 */
import { describe, expect, it } from 'vitest';
import { Inventory, mergeServer, mergeSnapshots, type McpServer } from '../src/inventory/index.js';

type Method = McpServer['detectionMethod'];
const methods: Method[] = ['sdk_import', 'claude_config', 'sdk_runtime'];

/** Whose value a fact both sightings have ends up with: the stronger method's; on a tie, the later. */
const factWinner: Record<`${Method}>${Method}`, 'known' | 'next'> = {
  'sdk_import>sdk_import': 'next',
  'sdk_import>claude_config': 'next',
  'sdk_import>sdk_runtime': 'next',
  'claude_config>sdk_import': 'known',
  'claude_config>claude_config': 'next',
  'claude_config>sdk_runtime': 'next',
  'sdk_runtime>sdk_import': 'known',
  'sdk_runtime>claude_config': 'known',
  'sdk_runtime>sdk_runtime': 'next',
};

interface FieldCase {
  field: string;
  known: Partial<McpServer>;
  next: Partial<McpServer>;
  /** The merged field: a value, `by method`, or whose value by the fact rule. */
  expected: unknown;
  read: (server: McpServer) => unknown;
}

interface ByWinner {
  winner: true;
  known: unknown;
  next: unknown;
}
const byWinner = (known: unknown, next: unknown): ByWinner => ({ winner: true, known, next });
const isByWinner = (value: unknown): value is ByWinner => typeof value === 'object' && value !== null && 'winner' in value;

const fields: FieldCase[] = [
  { field: 'detectionMethod', known: {}, next: {}, expected: 'by method', read: (s) => s.detectionMethod },
  { field: 'a fact both have (protocolVersion)', known: { protocolVersion: 'K' }, next: { protocolVersion: 'N' }, expected: byWinner('K', 'N'), read: (s) => s.protocolVersion },
  { field: 'a launch fact both have (cwd)', known: { cwd: '/k' }, next: { cwd: '/n' }, expected: byWinner('/k', '/n'), read: (s) => s.cwd },
  { field: 'client library both have', known: { clientLibrary: { name: 'k' } }, next: { clientLibrary: { name: 'n' } }, expected: byWinner({ name: 'k' }, { name: 'n' }), read: (s) => s.clientLibrary },
  { field: 'a fact only the known has (url)', known: { url: 'http://k/' }, next: {}, expected: 'http://k/', read: (s) => s.url },
  { field: 'a fact only the next has (url)', known: {}, next: { url: 'http://n/' }, expected: 'http://n/', read: (s) => s.url },
  { field: 'confidence (the highest)', known: { confidence: 40 }, next: { confidence: 20 }, expected: 40, read: (s) => s.confidence },
  { field: 'confidence (the highest, later)', known: { confidence: 20 }, next: { confidence: 90 }, expected: 90, read: (s) => s.confidence },
  { field: 'connectedAt (the first)', known: { connectedAt: 't1' }, next: { connectedAt: 't2' }, expected: 't1', read: (s) => s.connectedAt },
  { field: 'connectedAt (only the next)', known: {}, next: { connectedAt: 't2' }, expected: 't2', read: (s) => s.connectedAt },
  { field: 'failed (an answer wins)', known: { failed: true }, next: { failed: false }, expected: false, read: (s) => s.failed },
  { field: 'failed (an answer stays)', known: { failed: false }, next: { failed: true }, expected: false, read: (s) => s.failed },
  { field: 'tools (the union)', known: { tools: ['a', 'b'] }, next: { tools: ['b', 'c'] }, expected: ['a', 'b', 'c'], read: (s) => s.tools },
  { field: 'toolsCalled (the union)', known: { toolsCalled: ['x'] }, next: { toolsCalled: ['y'] }, expected: ['x', 'y'], read: (s) => s.toolsCalled },
  { field: 'name (the first label)', known: { name: 'label' }, next: { name: 'other' }, expected: 'label', read: (s) => s.name },
  { field: 'name (serverInfo, from the next)', known: { name: 'label' }, next: { serverInfo: { name: 'Own' } }, expected: 'Own', read: (s) => s.name },
  { field: 'name (serverInfo, from the known)', known: { serverInfo: { name: 'Own' } }, next: { name: 'other' }, expected: 'Own', read: (s) => s.name },
];

const server = (detectionMethod: Method, extra: Partial<McpServer>): McpServer => ({
  key: 'npx -y srv',
  name: 'srv',
  transport: 'stdio',
  detectionMethod,
  confidence: 50,
  ...extra,
});

const cases = methods.flatMap((k) => methods.flatMap((n) => fields.map((f) => [`${k} then ${n}: ${f.field}`, k, n, f] as const)));

function expectedOf(f: FieldCase, k: Method, n: Method): unknown {
  const winner = factWinner[`${k}>${n}`];
  if (f.expected === 'by method') return winner === 'known' ? k : n;
  if (isByWinner(f.expected)) return f.expected[winner];
  return f.expected;
}

describe('mergeServer: detection method x field', () => {
  it.each(cases)('%s', (_, k, n, f) => {
    expect(f.read(mergeServer(server(k, f.known), server(n, f.next)))).toEqual(expectedOf(f, k, n));
  });

  it.each(cases)('live, in one process: %s', (_, k, n, f) => {
    const inventory = new Inventory(
      { pid: 1, ppid: 0, argv: [], cwd: '/', node: 'v20' },
      { version: 't', hookMode: 'sync', visibility: 'full', preloadMs: 0, internalErrors: 0 },
    );
    inventory.upsertServer(server(k, f.known));
    inventory.upsertServer(server(n, f.next));
    expect(f.read(inventory.snapshot().mcpServers[0]!)).toEqual(expectedOf(f, k, n));
  });

  it.each(cases)('across processes (aim inspect): %s', (_, k, n, f) => {
    const snapshot = (pid: number, s: McpServer) => {
      const inventory = new Inventory(
        { pid, ppid: 0, argv: [], cwd: '/', node: 'v20' },
        { version: 't', hookMode: 'sync', visibility: 'full', preloadMs: 0, internalErrors: 0 },
      );
      inventory.upsertServer(s);
      return inventory.snapshot();
    };
    const merged = mergeSnapshots([snapshot(2, server(n, f.next)), snapshot(1, server(k, f.known))]);
    expect(merged.mcpServers).toHaveLength(1);
    expect(f.read(merged.mcpServers[0]!)).toEqual(expectedOf(f, k, n));
    expect(merged.mcpServers[0]!.pids).toEqual([1, 2]);
  });
});

describe('aim inspect', () => {
  it('a later config-file sighting does not turn a runtime server back into a config entry', () => {
    const one = new Inventory({ pid: 1, ppid: 0, argv: [], cwd: '/', node: 'v20' }, { version: 't', hookMode: 'sync', visibility: 'full', preloadMs: 0, internalErrors: 0 });
    const two = new Inventory({ pid: 2, ppid: 1, argv: [], cwd: '/', node: 'v20' }, { version: 't', hookMode: 'sync', visibility: 'full', preloadMs: 0, internalErrors: 0 });
    one.upsertServer(server('sdk_runtime', { confidence: 95, serverInfo: { name: 'Own' }, failed: false }));
    two.upsertServer(server('claude_config', { confidence: 30, name: 'from-config' }));
    const [merged] = mergeSnapshots([one.snapshot(), two.snapshot()]).mcpServers;
    expect(merged).toMatchObject({ detectionMethod: 'sdk_runtime', confidence: 95, name: 'Own', failed: false, pids: [1, 2] });
  });
});
