import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../src/collector/index.js';
import { capabilityReport, recordConnection, recordUsage } from '../src/collector/mcp.js';
import { CollectorState } from '../src/collector/state.js';
import { capabilityReportOf } from '../src/report/aim/capability-report.js';
import { createAimReporter } from '../src/report/aim/entry.js';
import { mcpIdentity } from '../src/report/aim/mcp-identity.js';
import { startStandIn } from './helpers/aim-standin.js';
import { configFor, FAST, makeInventory, newKey, server, sleep, tempDir, until, use } from './helpers/collector.js';

/** Issue 16: MCP server records, connections, tool usage, heartbeat and the capability report (signed generation). */
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const repo = join(import.meta.dirname, '..');
const everything = join(repo, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

/** An inventory with two stdio servers the program used: one from an npm package with mcpName, one without. */
function inventoryWithServers() {
  const inventory = makeInventory();
  use(inventory, 'file:read');
  use(inventory, 'system:exec', 'child_process.execFile');
  inventory.upsertServer(server('everything', { key: `node ${everything}`, command: 'node', args: [everything], serverInfo: { name: 'mcp-servers/everything', version: '2.0.0', title: 'Everything Reference Server', description: 'Exercises every MCP feature.', websiteUrl: 'https://github.com/modelcontextprotocol/servers' }, toolsCalled: ['echo'] }));
  inventory.upsertServer(server('local-tool', { key: 'python3 tool.py --token [REDACTED]', command: 'python3', args: ['tool.py', '--token', '[REDACTED]'], toolsCalled: ['run'] }));
  for (let i = 0; i < 3; i++) inventory.recordToolUse(`node ${everything}`, 'echo');
  inventory.recordToolUse('python3 tool.py --token [REDACTED]', 'run');
  return inventory;
}

function configIn(dir: string, key: string, url: string) {
  return configFor({
    AIM_API_KEY: key,
    AIM_URL: url,
    AIM_PROTOCOL: 'signed',
    AIM_AGENT_NAME: 'records-agent',
    AIM_CREDENTIALS_FILE: join(dir, 'creds.json'),
    AIM_SPOOL_DIR: join(dir, 'spool'),
  });
}

const routes = (c: Collector, from = 0) => c.received().slice(from).map((r) => `${r.route} ${r.status}`);

describe('MCP server identity', () => {
  it('is the package mcpName for an npm server, else a stdio: URI of the redacted command, else the URL', () => {
    const s = server('everything', { key: `node ${everything}`, command: 'node', args: [everything] });
    expect(mcpIdentity(s, repo)).toBe('mcp:io.github.modelcontextprotocol/server-everything');
    expect(mcpIdentity(server('fs', { key: 'npx -y @modelcontextprotocol/server-filesystem /tmp', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] }), repo)).toBe(
      'mcp:io.github.modelcontextprotocol/server-filesystem',
    );
    expect(mcpIdentity(server('x', { key: 'python3 tool.py --token [REDACTED]', command: 'python3', args: ['tool.py'] }), repo)).toBe(
      'stdio:python3%20tool.py%20--token%20%5BREDACTED%5D',
    );
    expect(mcpIdentity(server('h', { key: 'https://mcp.example.com/mcp', transport: 'streamable-http', url: 'https://mcp.example.com/mcp' }), repo)).toBe(
      'https://mcp.example.com/mcp',
    );
  });
});

describe('the current AIM learns MCP records, connections, usage and the capability report', () => {
  it('against the collector: records once, connections per tool, usage at exit, report; a restart with nothing new sends 0', async () => {
    const key = newKey();
    const collector = await startCollector({ protocol: 'signed', agents: [], keys: [key], log: () => {} });
    cleanup.push(() => collector.close());
    const dir = tempDir();
    const inventory = inventoryWithServers();
    const first = createAimReporter(inventory, configIn(dir, key, collector.url), { timings: FAST });
    cleanup.push(() => first.dispose());
    await until(() => collector.received().some((r) => r.route === 'capability-report'));
    await first.flush(2000);
    first.dispose();
    const seen = routes(collector);
    expect(seen.filter((r) => r.startsWith('mcp-servers'))).toEqual(['mcp-servers 201', 'mcp-servers 201']);
    expect(seen.filter((r) => r.startsWith('mcp-connections'))).toEqual(['mcp-connections 200', 'mcp-connections 200']);
    expect(seen.filter((r) => r.startsWith('capability-report'))).toEqual(['capability-report 200']);
    expect(seen.filter((r) => r.startsWith('mcp-usage-report'))).toEqual(['mcp-usage-report 200']);
    const records = [...collector.state.mcpServers.values()];
    expect(records.map((r) => r.url).sort()).toEqual(['mcp:io.github.modelcontextprotocol/server-everything', 'stdio:python3%20tool.py%20--token%20%5BREDACTED%5D']);
    const everythingRecord = records.find((r) => r.url.startsWith('mcp:'))!;
    // What initialize said: name, title, version, description, website.
    expect(everythingRecord).toMatchObject({
      name: 'mcp-servers/everything',
      version: '2.0.0',
      title: 'Everything Reference Server',
      description: 'Exercises every MCP feature.',
      websiteUrl: 'https://github.com/modelcontextprotocol/servers',
    });
    // A server that said nothing of itself gets aim's description.
    expect(records.find((r) => r.url.startsWith('stdio:'))!.description).toBe('MCP server used by this agent, seen by aim-node (stdio)');
    const agentId = [...collector.state.agents.keys()][0]!;
    expect(everythingRecord.usage.get(`${agentId}|echo`)?.count).toBe(3);
    expect([...everythingRecord.connections.get(agentId)!]).toEqual(['echo']);
    const report = collector.state.agents.get(agentId)!.capabilityReports[0] as { riskAssessment: { riskLevel: string; alerts: { severity: string; capability: string }[] } };
    expect(report.riskAssessment.riskLevel).toBe('medium');
    expect(report.riskAssessment.alerts).toContainEqual(expect.objectContaining({ severity: 'HIGH', capability: 'system:exec' }));
    expect(JSON.stringify(collector.received())).not.toContain(key);

    // A restart of the agent with the same inventory and no new tool calls: nothing at all.
    const before = collector.received().length;
    const again = makeInventory();
    use(again, 'file:read');
    use(again, 'system:exec', 'child_process.execFile');
    for (const s of inventoryWithServers().snapshotServers()) again.upsertServer(s);
    const second = createAimReporter(again, configIn(dir, key, collector.url), { timings: FAST });
    cleanup.push(() => second.dispose());
    await sleep(400);
    await second.flush(1000);
    expect(routes(collector, before)).toEqual([]);
  });

  it('more tool calls later: one usage report per interval with the calls since the last; a heartbeat on its interval', async () => {
    const key = newKey();
    const collector = await startCollector({ protocol: 'signed', agents: [], keys: [key], log: () => {} });
    cleanup.push(() => collector.close());
    const inventory = inventoryWithServers();
    const r = createAimReporter(inventory, configIn(tempDir(), key, collector.url), { timings: FAST, usageIntervalMs: 150, heartbeatMs: 300 });
    cleanup.push(() => r.dispose());
    await until(() => collector.received().some((x) => x.route === 'mcp-usage-report'));
    for (let i = 0; i < 5; i++) inventory.recordToolUse(`node ${everything}`, 'echo');
    await until(() => collector.received().filter((x) => x.route === 'mcp-usage-report').length === 2);
    await until(() => collector.received().some((x) => x.route === 'heartbeat'));
    const usage = collector.received().filter((x) => x.route === 'mcp-usage-report').map((x) => Object.values((x.body as { mcpServers: Record<string, { toolUsage: Record<string, { count: number }> }> }).mcpServers));
    expect(usage[1]!.map((s) => s.toolUsage.echo?.count)).toEqual([5]);
    const record = [...collector.state.mcpServers.values()].find((s) => s.url.startsWith('mcp:'))!;
    expect([...record.usage.values()][0]!.count).toBe(8);
    await sleep(200);
    // No new calls: no further usage report.
    expect(collector.received().filter((x) => x.route === 'mcp-usage-report')).toHaveLength(2);
  });

  it('against an independent stand-in written from the upstream handlers (409 without an id: found by name)', async () => {
    const key = newKey();
    const standIn = await startStandIn(key);
    cleanup.push(() => standIn.close());
    const dir = tempDir();
    const first = createAimReporter(inventoryWithServers(), configIn(dir, key, standIn.url), { timings: FAST });
    cleanup.push(() => first.dispose());
    await until(() => standIn.reports.length === 1);
    await first.flush(2000);
    first.dispose();
    expect(standIn.requests.every((r) => r.status < 300)).toBe(true);
    expect(standIn.servers.size).toBe(2);
    expect([...standIn.usage.values()].sort()).toEqual([1, 3]);
    // Another machine of the same agent, without the record ids: 409, found by name, the connection still lands.
    const other = tempDir();
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(join(other, 'creds.json'), readFileSync(join(dir, 'creds.json')));
    const before = standIn.requests.length;
    const second = createAimReporter(inventoryWithServers(), configIn(other, key, standIn.url), { timings: FAST });
    cleanup.push(() => second.dispose());
    await until(() => standIn.requests.slice(before).filter((r) => r.path.endsWith('/mcp-connections')).length === 2);
    const later = standIn.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/agents\/[^/]+/, 'agents/:id').replace(/\?.*/, '')} ${r.status}`);
    expect(later).toContain('POST /api/v1/sdk-api/agents/:id/mcp-servers 409');
    expect(later).toContain('GET /api/v1/sdk-api/agents/:id/mcp-servers/by-name 200');
    expect(later.filter((r) => r.includes('mcp-connections'))).toEqual(['POST /api/v1/sdk-api/agents/:id/mcp-connections 200', 'POST /api/v1/sdk-api/agents/:id/mcp-connections 200']);
  });
});

describe('collector: the current AIM routes validate as upstream does', () => {
  const state = new CollectorState([{ id: '4b0d9c3e-6a51-4f0e-9c1d-aa5e0c0de001', name: 'a' }]);
  const agent = state.agents.get('4b0d9c3e-6a51-4f0e-9c1d-aa5e0c0de001')!;
  const report = () => capabilityReportOf(inventoryWithServers().snapshot(), new Date());

  it('capability report: lowercase riskLevel (else 500), integer scores (else 400), detectedAt required', () => {
    expect(capabilityReport(agent, report()).status).toBe(200);
    const upper = report();
    (upper.riskAssessment as { riskLevel: string }).riskLevel = 'MEDIUM';
    expect(capabilityReport(agent, upper).status).toBe(500);
    const fraction = report();
    fraction.riskAssessment.overallRiskScore = 12.5;
    expect(capabilityReport(agent, fraction).status).toBe(400);
    expect(capabilityReport(agent, { ...report(), detectedAt: '' })).toMatchObject({ status: 400, body: { error: 'detectedAt is required' } });
  });

  it('connections need a server id and a tool name (either spelling); usage skips keys that are not UUIDs', () => {
    expect(recordConnection(state, agent, { toolName: 'x' })).toMatchObject({ status: 400, body: { error: 'mcp_server_id is required' } });
    expect(recordConnection(state, agent, { mcp_server_id: 'not-a-uuid', tool_name: 'x' }).status).toBe(400);
    const usage = recordUsage(state, agent, { agentId: agent.id, reportedAt: new Date().toISOString(), mcpServers: { 'not-a-uuid': { toolUsage: {} } } });
    expect(usage).toMatchObject({ status: 200, body: { serversReported: 0, totalInvocations: 0 } });
  });
});
