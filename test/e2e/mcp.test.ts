/**
 * MCP discovery end to end: real fixture clients (v1 SDK CJS and ESM, v2 client, @ai-sdk/mcp)
 * against real servers from npm, run as child processes under the preload; each writes
 * `<AIM_OUTPUT>/<pid>.json`. The preload is the built agent (`--import dist/register.mjs`) when
 * dist exists, else the stand-alone MCP test preload (fixtures/mcp/preload);
 * AIM_MCP_TEST_AGENT=standalone|dist forces one. AIM_TEST_NODE picks the node binary.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everything,
  freePort,
  mainInventory,
  nodeBinary,
  preloadFlags,
  readInventories,
  runFixture,
  runtimeServers,
  startHttpServer,
  startWebSocketServer,
  type Run,
} from '../../fixtures/mcp/harness.js';
import { bundleFixture } from '../../fixtures/mcp/bundle.js';
import { hasSyncHooks, nodeIn, runsHere } from '../helpers/node.js';

/** ESM modules are seen on Node with synchronous module hooks (22.22.3+, 24.11.1+). */
const syncHooks = hasSyncHooks;

let http: { url: string; stop: () => void };
let sse: { url: string; stop: () => void };

beforeAll(async () => {
  [http, sse] = await Promise.all([startHttpServer('streamableHttp'), startHttpServer('sse')]);
});

afterAll(() => {
  http?.stop();
  sse?.stop();
});

function allText(run: Run): string {
  return readdirSync(run.outDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readFileSync(join(run.outDir, f), 'utf8'))
    .join('\n');
}

function expectOk(run: Run): void {
  expect(run.code, run.stderr).toBe(0);
  expect(run.inventories.length, run.stderr).toBeGreaterThan(0);
  // No process warning of Node's (an experimental vm option once printed one here).
  expect(run.stderr).not.toMatch(/\(node:\d+\) \w*Warning/);
}

describe('stdio servers', () => {
  it('v1 SDK (CommonJS): server-everything, its name, title, version, command, tools; secrets redacted', async () => {
    const run = await runFixture('v1-stdio.cjs');
    expectOk(run);
    expect(run.stdout).toContain('Echo: hello');
    const [server, ...rest] = runtimeServers(mainInventory(run));
    expect(rest).toEqual([]);
    expect(server).toMatchObject({
      name: 'mcp-servers/everything',
      // server-everything's own serverInfo: it gives a title, no description or website.
      serverInfo: { name: 'mcp-servers/everything', version: '2.0.0', title: 'Everything Reference Server' },
      transport: 'stdio',
      command: nodeBinary,
      detectionMethod: 'sdk_runtime',
      failed: false,
      clientLibrary: { name: '@modelcontextprotocol/sdk' },
      toolsCalled: ['echo'],
    });
    expect(server?.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(server?.confidence).toBeGreaterThanOrEqual(95);
    expect(server?.args?.slice(0, 4)).toEqual([everything, 'stdio', '--token', '[REDACTED]']);
    expect(server?.tools).toContain('echo');
    expect(server?.connectedAt).toMatch(/Z$/);
    const capability = mainInventory(run).capabilities.find((c) => c.id === 'mcp:tool_use');
    expect(capability?.evidence[0]?.details).toEqual({ server: 'mcp-servers/everything', tool: 'echo' });
    const read = mainInventory(run).capabilities.find((c) => c.id === 'mcp:resource_read');
    expect(read?.evidence[0]?.details).toEqual({ server: 'mcp-servers/everything', resource: 'demo://resource' });
    const text = allText(run);
    for (const secret of ['abc123secret', 'sk-live-0123456789abcdef', 'user:pw', 'pw@', 'key=1']) expect(text).not.toContain(secret);
  });

  it('v1 SDK (ESM): server-filesystem over stdio', async () => {
    const run = await runFixture('v1-stdio.mjs');
    expectOk(run);
    const [server, ...rest] = runtimeServers(mainInventory(run));
    expect(rest).toEqual([]);
    expect(server).toMatchObject({
      name: 'secure-filesystem-server',
      serverInfo: { name: 'secure-filesystem-server' },
      transport: 'stdio',
      failed: false,
      clientLibrary: { name: '@modelcontextprotocol/sdk' },
      toolsCalled: ['list_allowed_directories'],
    });
    expect(server?.serverInfo?.version).toBeTruthy();
    expect(server?.args?.[0]).toMatch(/server-filesystem[\\/]dist[\\/]index\.js$/);
  });

  it('v2 client (@modelcontextprotocol/client/stdio): server-everything', async () => {
    const run = await runFixture('v2-stdio.mjs');
    expectOk(run);
    const [server] = runtimeServers(mainInventory(run));
    expect(server).toMatchObject({
      name: 'mcp-servers/everything',
      serverInfo: { version: '2.0.0' },
      transport: 'stdio',
      clientLibrary: { name: '@modelcontextprotocol/client' },
      toolsCalled: ['echo'],
    });
  });

  it.runIf(runsHere('mcp/ai-sdk-stdio.mjs'))('@ai-sdk/mcp (its own client and spawn): server-everything', async () => {
    const run = await runFixture('ai-sdk-stdio.mjs');
    expectOk(run);
    const [server, ...rest] = runtimeServers(mainInventory(run));
    expect(rest).toEqual([]);
    expect(server).toMatchObject({
      name: 'mcp-servers/everything',
      serverInfo: { version: '2.0.0' },
      transport: 'stdio',
      clientLibrary: { name: '@ai-sdk/mcp' },
      toolsCalled: ['echo'],
    });
  });

  it('a client with two servers shows both, each with its own calls', async () => {
    const run = await runFixture('two-servers.cjs');
    expectOk(run);
    const servers = runtimeServers(mainInventory(run));
    expect(servers.map((s) => s.name).sort()).toEqual(['mcp-servers/everything', 'secure-filesystem-server']);
    expect(servers.find((s) => s.name === 'secure-filesystem-server')?.toolsCalled).toEqual(['list_allowed_directories']);
    expect(servers.find((s) => s.name === 'mcp-servers/everything')?.toolsCalled).toEqual(['echo']);
    expect(new Set(servers.map((s) => s.key)).size).toBe(2);
  });

  it('a bundled client (SDK inlined by esbuild): the wire layer alone finds the server and its calls', async () => {
    const bundled = await bundleFixture('v1-stdio.cjs', 'v1-stdio.bundle.cjs');
    const run = await runFixture(bundled);
    expectOk(run);
    const [server, ...rest] = runtimeServers(mainInventory(run));
    expect(rest).toEqual([]);
    expect(server).toMatchObject({ name: 'mcp-servers/everything', serverInfo: { version: '2.0.0' }, transport: 'stdio', failed: false, toolsCalled: ['echo'] });
    expect(server?.tools).toContain('echo');
    expect(server?.clientLibrary).toBeUndefined();
    expect(allText(run)).not.toContain('abc123secret');
  });

  it('two connections to the same server are one entry', async () => {
    const run = await runFixture('same-twice.cjs');
    expectOk(run);
    const [server, ...rest] = runtimeServers(mainInventory(run));
    expect(rest).toEqual([]);
    expect(server?.name).toBe('mcp-servers/everything');
    expect(server?.toolsCalled?.sort()).toEqual(['echo', 'get-sum']);
  });

  it('a server that exits at once is recorded as failed, and nothing crashes', async () => {
    const run = await runFixture('failed.cjs');
    expectOk(run);
    expect(run.stdout).toContain('failed as expected');
    const [server, ...rest] = runtimeServers(mainInventory(run));
    expect(rest).toEqual([]);
    expect(server).toMatchObject({ transport: 'stdio', failed: true, args: ['-e', 'process.exit(3)'] });
    expect(server?.serverInfo).toBeUndefined();
  });

  it('children that are not MCP servers are not reported, and their output is unchanged', async () => {
    const run = await runFixture('not-mcp.cjs');
    expectOk(run);
    expect(JSON.parse(run.stdout)).toEqual({ out: '{"hello":"world"}\nplain text\n', exec: 'hi' });
    expect(mainInventory(run).mcpServers).toEqual([]);
  });
});

describe('Streamable HTTP servers', () => {
  const cases = [
    { fixture: 'v1-http.cjs', library: '@modelcontextprotocol/sdk', full: true },
    { fixture: 'v1-http.mjs', library: '@modelcontextprotocol/sdk', full: true },
    { fixture: 'v2-http.mjs', library: '@modelcontextprotocol/client', full: true },
  ];
  for (const { fixture, library, full } of cases) {
    it(`${fixture}: URL without credentials or query, transport, protocol version${full ? ', server name, tools' : ''}`, async () => {
      const url = new URL(http.url);
      const run = await runFixture(fixture, [`${http.url}?token=s3cr3tQueryValue`]);
      expectOk(run);
      const [server, ...rest] = runtimeServers(mainInventory(run));
      expect(rest).toEqual([]);
      expect(server).toMatchObject({ key: http.url, url: http.url, transport: 'streamable-http', failed: false });
      expect(server?.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (full) {
        expect(server).toMatchObject({
          name: 'mcp-servers/everything',
          serverInfo: { version: '2.0.0' },
          clientLibrary: { name: library },
          toolsCalled: ['echo'],
        });
      } else {
        // Node without body channels or ESM hooks: the wire gives the URL, named by its host.
        expect([url.host, 'mcp-servers/everything']).toContain(server?.name);
      }
      expect(allText(run)).not.toContain('s3cr3tQueryValue');
    });
  }
});

describe('@ai-sdk/mcp over Streamable HTTP (no SDK hook: the wire alone)', () => {
  it.runIf(runsHere('mcp/ai-sdk-http.mjs'))('ai-sdk-http.mjs: URL, transport, protocol version; name and calls where undici reports bodies', async () => {
    const run = await runFixture('ai-sdk-http.mjs', [`${http.url}?token=s3cr3tAiValue`]);
    expectOk(run);
    const [server, ...rest] = runtimeServers(mainInventory(run));
    expect(rest).toEqual([]);
    expect(server).toMatchObject({ key: http.url, url: http.url, transport: 'streamable-http', failed: false });
    expect(server?.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    if (nodeIn('>=24')) {
      // Node 24's undici reports request and response bodies (bodyChunkSent/bodyChunkReceived).
      expect(server).toMatchObject({ name: 'mcp-servers/everything', serverInfo: { version: '2.0.0' }, toolsCalled: ['echo'] });
      expect(server?.tools).toContain('echo');
    }
    expect(allText(run)).not.toContain('s3cr3tAiValue');
  });
});

describe('a failed HTTP connection', () => {
  it('http-down.cjs: recorded as failed with its URL, and the program goes on', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const run = await runFixture('http-down.cjs', [url]);
    expectOk(run);
    expect(run.stdout).toContain('failed as expected');
    const [server, ...rest] = runtimeServers(mainInventory(run));
    expect(rest).toEqual([]);
    expect(server).toMatchObject({ key: url, transport: 'streamable-http', failed: true, clientLibrary: { name: '@modelcontextprotocol/sdk' } });
  });
});

describe('legacy SSE servers', () => {
  for (const { fixture, full } of [
    { fixture: 'v1-sse.cjs', full: true },
    { fixture: 'v1-sse.mjs', full: true },
  ]) {
    it(`${fixture}: keyed by the SSE URL, transport sse${full ? ', server name, tools' : ''}`, async () => {
      const run = await runFixture(fixture, [`${sse.url}?apiKey=s3cr3tSseValue`]);
      expectOk(run);
      const [server, ...rest] = runtimeServers(mainInventory(run));
      expect(rest).toEqual([]);
      expect(server).toMatchObject({ key: sse.url, url: sse.url, transport: 'sse', failed: false });
      if (full) {
        expect(server).toMatchObject({
          name: 'mcp-servers/everything',
          clientLibrary: { name: '@modelcontextprotocol/sdk' },
          toolsCalled: ['echo'],
        });
      }
      expect(allText(run)).not.toContain('s3cr3tSseValue');
    });
  }
});

describe('WebSocket servers', () => {
  it.runIf(runsHere('mcp/v1-websocket.mjs'))('v1-websocket.mjs: URL, transport websocket (and name, tools where the SDK is seen)', async () => {
    const ws = await startWebSocketServer();
    try {
      const run = await runFixture('v1-websocket.mjs', [`${ws.url}?token=s3cr3tWsValue`]);
      expectOk(run);
      const [server, ...rest] = runtimeServers(mainInventory(run));
      expect(rest).toEqual([]);
      expect(server).toMatchObject({ key: ws.url, url: ws.url, transport: 'websocket', failed: false });
      if (syncHooks) {
        expect(server).toMatchObject({ name: 'ws-echo', serverInfo: { version: '0.1.0' }, tools: ['echo'], toolsCalled: ['echo'] });
      }
      expect(allText(run)).not.toContain('s3cr3tWsValue');
    } finally {
      ws.stop();
    }
  });
});

describe('libraries only loaded', () => {
  for (const fixture of ['import-only.cjs', 'import-only.mjs']) {
    const visible = fixture.endsWith('.cjs') || syncHooks;
    it.skipIf(!visible)(`${fixture}: sdk_import only`, async () => {
      const run = await runFixture(fixture);
      expectOk(run);
      const servers = mainInventory(run).mcpServers;
      expect(servers.length).toBeGreaterThan(0);
      for (const server of servers) {
        expect(server).toMatchObject({ detectionMethod: 'sdk_import', clientLibrary: { name: '@modelcontextprotocol/sdk' } });
        expect(server.confidence).toBeLessThan(50);
      }
      expect(mainInventory(run).capabilities.filter((c) => c.id.startsWith('mcp:'))).toEqual([]);
    });
  }
});

describe('config files', () => {
  it('.mcp.json and the Claude Desktop config: claude_config, low confidence, no env, secrets redacted', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aim-mcp-home-'));
    mkdirSync(join(home, '.config', 'Claude'), { recursive: true });
    writeFileSync(
      join(home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({ mcpServers: { desk: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory', '--api-key', 'deskSecret'], env: { TOKEN: 'envSecret' } } } }),
    );
    const project = mkdtempSync(join(tmpdir(), 'aim-mcp-project-'));
    writeFileSync(join(project, '.mcp.json'), JSON.stringify({ mcpServers: { remote: { type: 'http', url: 'https://a:b@mcp.example.com/mcp?k=urlSecret' } } }));
    const run = await runFixture('idle.cjs', [], { env: { HOME: home, XDG_CONFIG_HOME: '' }, cwd: project });
    expectOk(run);
    const servers = mainInventory(run).mcpServers;
    expect(servers.map((s) => [s.name, s.detectionMethod, s.transport]).sort()).toEqual([
      ['desk', 'claude_config', 'stdio'],
      ['remote', 'claude_config', 'streamable-http'],
    ]);
    for (const server of servers) expect(server.confidence).toBeLessThanOrEqual(30);
    const text = allText(run);
    for (const secret of ['deskSecret', 'envSecret', 'urlSecret', 'a:b@']) expect(text).not.toContain(secret);
  });
});

describe('inside a stdio MCP server', () => {
  /** Runs server-everything over stdio, feeds it a session, returns its stdout bytes. */
  function session(withAgent: boolean): Promise<{ bytes: Buffer; outDir: string }> {
    const flags = preloadFlags().map((f) => (f.includes(' ') ? JSON.stringify(f) : f)).join(' ');
    const outDir = mkdtempSync(join(tmpdir(), 'aim-mcp-srv-'));
    const child = spawn(nodeBinary, [everything, 'stdio'], {
      env: { ...process.env, NODE_OPTIONS: withAgent ? flags : '', AIM_OUTPUT: outDir, AIM_LOG_LEVEL: 'debug' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d).slice(-2000)));
    const lines = [
      { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'bytes' } } },
    ];
    const chunks: Buffer[] = [];
    let done = false;
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`server did not answer; stdout: ${Buffer.concat(chunks).toString().slice(-500)}; stderr: ${stderr}`));
      }, 30_000);
      child.on('exit', (code) => {
        if (!done) {
          clearTimeout(timer);
          reject(new Error(`server exited (${code}) before answering; stderr: ${stderr}`));
        }
      });
      child.stdout.on('data', (d: Buffer) => {
        chunks.push(d);
        const text = Buffer.concat(chunks).toString();
        if (!done && text.includes('"id":2')) {
          done = true;
          clearTimeout(timer);
          // End of input: the server exits on its own (and the agent writes its inventory).
          child.stdin.end();
          const stop = setTimeout(() => child.kill(), 10_000);
          child.on('close', () => clearTimeout(stop));
          child.on('close', () => resolvePromise({ bytes: Buffer.concat(chunks), outDir }));
        }
      });
      for (const line of lines) child.stdin.write(`${JSON.stringify(line)}\n`);
    });
  }

  it('a server run under NODE_OPTIONS keeps a byte-exact JSON-RPC stdout', async () => {
    const plain = await session(false);
    const observed = await session(true);
    expect(observed.bytes.equals(plain.bytes)).toBe(true);
    for (const line of observed.bytes.toString().trim().split('\n')) expect(JSON.parse(line).jsonrpc).toBe('2.0');
    // The agent did run inside the server (it wrote its inventory), and the server is no client.
    const [inventory] = readInventories(observed.outDir);
    expect(inventory?.mcpServers.filter((s) => s.detectionMethod === 'sdk_runtime')).toEqual([]);
    expect(readInventories(plain.outDir)).toEqual([]);
  });
});
