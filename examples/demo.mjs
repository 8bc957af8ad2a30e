#!/usr/bin/env node
// `npm run demo`: the main job on a built-in default, with no AIM account. It starts the local
// AIM-compatible collector, runs a small sample agent (fixtures/core/agent-app.mjs: reads a
// prompt, calls an LLM-style API, runs a command, writes a file, starts a child node process)
// under `aim inspect` with reporting pointed at the collector, then shows what AIM received.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const cli = `${repo}dist/cli.mjs`;
const app = `${repo}fixtures/core/agent-app.mjs`;
// The collector's built-in demo agent and key (see `aim collector --help`).
const DEMO_AGENT_ID = '4b0d9c3e-6a51-4f0e-9c1d-aa5e0c0de001';
const DEMO_KEY = 'aim_live_ZGVtby1rZXktZm9yLXRoZS1sb2NhbC1jb2xsZWN0b3I=';

const collector = spawn(process.execPath, [cli, 'collector', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
const { url, control } = await listening(collector);
let reports = '';
collector.stderr.on('data', (chunk) => (reports += chunk));

process.stdout.write(`\n$ aim inspect -- node fixtures/core/agent-app.mjs   (reporting to the local collector at ${url})\n\n`);
const inspect = spawn(process.execPath, [cli, 'inspect', '--', process.execPath, app], {
  stdio: 'inherit',
  env: { ...process.env, AIM_URL: url, AIM_AGENT_ID: DEMO_AGENT_ID, AIM_API_KEY: DEMO_KEY, AIM_FLUSH_TIMEOUT_MS: '3000' },
});
const code = await new Promise((done) => inspect.on('exit', (c) => done(c ?? 1)));

const received = await control('/__aim/received');
collector.kill();
process.stdout.write('\nWhat the AIM collector received:\n');
for (const request of received) {
  const route = request.route ?? request.path;
  const body = request.body ?? {};
  const what = body.capabilityType ?? (Array.isArray(body.mcpServers) ? `${body.mcpServers.length} MCP server entr${body.mcpServers.length === 1 ? 'y' : 'ies'}` : '');
  process.stdout.write(`  ${request.method} ${route} -> ${request.status ?? ''} ${what}\n`);
}
if (reports.trim()) process.stdout.write(`\nCollector log:\n${reports.replace(/^/gm, '  ')}`);

// The current AIM (signed): an agent that uses an MCP server (fixtures/report/typical-agent.mjs
// calls a tool of server-filesystem over stdio) registers itself, and AIM gets the server's record,
// its connection and its tool usage.
const signed = spawn(process.execPath, [cli, 'collector', '--port', '0', '--protocol', 'signed', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
const { url: signedUrl, control: signedControl } = await listening(signed);
const typical = `${repo}fixtures/report/typical-agent.mjs`;
const home = mkdtempSync(join(tmpdir(), 'aim-demo-'));
process.stdout.write(`\n$ node --import aim/register fixtures/report/typical-agent.mjs   (current AIM, signed, at ${signedUrl})\n`);
const agent = spawn(process.execPath, ['--import', `${repo}dist/register.mjs`, typical], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, AIM_URL: signedUrl, AIM_API_KEY: DEMO_KEY, AIM_AGENT_NAME: 'demo-mcp-agent', XDG_CONFIG_HOME: home, TMPDIR: home, AIM_FLUSH_TIMEOUT_MS: '3000' },
});
await new Promise((done) => agent.on('exit', done));
const servers = await signedControl('/__aim/mcp-servers');
const signedReceived = await signedControl('/__aim/received');
signed.kill();
process.stdout.write('\nMCP server records in AIM:\n');
for (const s of servers) {
  process.stdout.write(`  ${s.name} ${s.version ? `v${s.version} ` : ''}(${s.url}), id ${s.id}\n`);
  for (const [agentId, tools] of Object.entries(s.connections)) process.stdout.write(`    connected: agent ${agentId}, tools ${tools.join(', ')}\n`);
  for (const [key, use] of Object.entries(s.usage)) process.stdout.write(`    usage: ${key.split('|')[1]} x${use.count} (last ${use.lastUsed})\n`);
}
process.stdout.write(`Requests: ${signedReceived.map((r) => `${r.route} ${r.status}`).join(', ')}\n`);
process.exit(code);

/** The collector's URL, and a reader of its control routes with the token it prints at start. */
function listening(child) {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /listening on (http:\/\/\S+)[^]*Authorization: Bearer (\S+)/.exec(text);
      if (!match) return;
      const [, url, token] = match;
      const control = (path) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
      resolve({ url, control });
    });
    child.on('exit', () => reject(new Error(`the collector did not start:\n${text}`)));
  });
}
