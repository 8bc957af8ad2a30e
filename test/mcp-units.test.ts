import { describe, expect, it } from 'vitest';
import { serversInConfig } from '../src/register/mcp-config-parse.js';
import { LineSplitter, MAX_LINE, callNameOf, helloOf, parseMessage, parseMessages, uriLabel } from '../src/hooks/mcp/jsonrpc.js';
import { httpKey, nameFromCommand, nameFromPackage, nameFromUrl, stdioKey } from '../src/hooks/mcp/naming.js';
import { REDACTED, cleanUrl, looksLikeSecret, redactArgs } from '../src/platform/redact.js';
import { cleanServerFacts } from '../src/platform/sanitize.js';
import { classifyModule } from '../src/hooks/mcp/client-modules.js';
import { transportFacts } from '../src/hooks/mcp/client-patch.js';
import { unwrapShell } from '../src/hooks/mcp/stdio.js';
import { headerOf } from '../src/hooks/mcp/http.js';
import { inferMcp } from '../src/inference/mcp.js';
import { Inventory } from '../src/inventory/index.js';
import type { McpServerSeen } from '../src/observations/index.js';

describe('redaction', () => {
  it('hides the value after a secret-named flag, and secret NAME=value pairs', () => {
    expect(redactArgs(['--token', 'abc', '--verbose'])).toEqual(['--token', REDACTED, '--verbose']);
    expect(redactArgs(['--api-key=xyz123', '--port=8080'])).toEqual([`--api-key=${REDACTED}`, '--port=8080']);
    expect(redactArgs(['API_KEY=sk-live-0123456789abcdef'])).toEqual([`API_KEY=${REDACTED}`]);
    expect(redactArgs(['GITHUB_PERSONAL_ACCESS_TOKEN=whatever'])).toEqual([`GITHUB_PERSONAL_ACCESS_TOKEN=${REDACTED}`]);
    expect(redactArgs(['--password', 'hunter2', '-H', 'Authorization: Bearer abc'])).toEqual([
      '--password',
      REDACTED,
      '-H',
      `Authorization: ${REDACTED}`,
    ]);
  });

  it('hides credential-shaped values and long random strings wherever they are', () => {
    for (const secret of [
      'sk-proj-abcdefghijklmnop1234',
      'ghp_0123456789abcdefghijklmnopqrstuvwxyz',
      'xoxb-1234567890-abcdefghij',
      'AKIAIOSFODNN7EXAMPLE',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
      'Zx8Kq2Lm9Pw4Rt7Yb3Nc6Vd1Hf5Gj0Ts',
      '4f9a2c7e1b8d3f6a0c5e9b2d7f1a4c8e',
    ]) {
      expect(looksLikeSecret(secret), secret).toBe(true);
      expect(redactArgs([secret])).toEqual([REDACTED]);
    }
  });

  it('keeps ordinary arguments: packages, paths, flags, words', () => {
    const args = [
      '-y',
      '@modelcontextprotocol/server-filesystem@2026.8.31',
      '/home/user/projects/my-very-long-project-directory',
      'stdio',
      '--port=3001',
      'streamableHttp',
      'mcp-server-everything-streamable-http',
      'C:\\Users\\someone\\AppData\\Roaming',
      '2026-11-25T12:00:00Z',
    ];
    expect(redactArgs(args)).toEqual(args);
  });

  it('strips credentials, query and fragment from URLs, in args and as keys', () => {
    expect(redactArgs(['https://user:pw@example.com/x?key=1#frag'])).toEqual(['https://example.com/x']);
    expect(cleanUrl('http://u:p@127.0.0.1:3001/mcp?token=zzz')).toBe('http://127.0.0.1:3001/mcp');
    expect(cleanUrl('https://mcp.example.com/sse/Zx8Kq2Lm9Pw4Rt7Yb3Nc6Vd1Hf5Gj0Ts')).toBe(`https://mcp.example.com/sse/${REDACTED}`);
    expect(httpKey('https://a:b@mcp.example.com/mcp?x=1')).toBe('https://mcp.example.com/mcp');
  });

  it('keys a stdio server by its redacted launch line', () => {
    const key = stdioKey('npx', ['-y', 'pkg', '--token', 'abc', 'with space']);
    expect(key).toBe(`npx -y pkg --token ${REDACTED} "with space"`);
    expect(key).not.toContain('abc');
  });
});

describe('naming', () => {
  it('derives the name from the package a runner starts', () => {
    expect(nameFromCommand('npx', ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'])).toBe('filesystem');
    expect(nameFromCommand('npx', ['@modelcontextprotocol/server-everything@latest'])).toBe('everything');
    expect(nameFromCommand('uvx', ['mcp-server-git', '--repository', '.'])).toBe('git');
    expect(nameFromCommand('npx', ['-y', '@notionhq/notion-mcp-server'])).toBe('notion');
    expect(nameFromCommand('pnpm', ['dlx', 'mcp-remote', 'https://x'])).toBe('remote');
    expect(nameFromCommand('npx', ['-p', '@scope/github-mcp', 'gh-mcp'])).toBe('github');
    expect(nameFromCommand('docker', ['run', '-i', '--rm', '-e', 'X', 'ghcr.io/github/github-mcp-server'])).toBe('github');
  });

  it('derives the name from the script an interpreter runs', () => {
    expect(nameFromCommand('/usr/bin/node', ['/app/node_modules/@modelcontextprotocol/server-everything/dist/index.js', 'stdio'])).toBe('everything');
    expect(nameFromCommand('node', ['./servers/weather/dist/index.js'])).toBe('weather');
    expect(nameFromCommand('python3', ['weather_server.py'])).toBe('weather');
    expect(nameFromCommand('python', ['-m', 'mcp_server_fetch'])).toBe('fetch');
    expect(nameFromCommand('/usr/local/bin/my-tool', ['--stdio'])).toBe('my-tool');
    expect(nameFromCommand('sh', ['-c', 'npx -y @modelcontextprotocol/server-memory'])).toBe('memory');
  });

  it('keys `shell: true` spawns by the line they run, so both layers agree', () => {
    expect(unwrapShell('/bin/sh', ['-c', 'npx -y @modelcontextprotocol/server-memory'])).toEqual({ file: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] });
    expect(unwrapShell('/bin/sh', ['-c', 'node "my server.js" --x'])).toEqual({ file: 'node', args: ['my server.js', '--x'] });
    expect(unwrapShell('/bin/sh', ['-c', 'cat x | node s.js'])).toEqual({ file: '/bin/sh', args: ['-c', 'cat x | node s.js'] });
    expect(unwrapShell('/usr/bin/node', ['-c', 'x'])).toEqual({ file: '/usr/bin/node', args: ['-c', 'x'] });
  });

  it('names packages and URLs', () => {
    expect(nameFromPackage('@modelcontextprotocol/server-filesystem@1.2.3')).toBe('filesystem');
    expect(nameFromPackage('mcp')).toBe('mcp');
    expect(nameFromUrl('https://mcp.example.com/mcp')).toBe('mcp.example.com');
    expect(nameFromUrl('http://127.0.0.1:3001/mcp')).toBe('127.0.0.1:3001');
  });
});

describe('JSON-RPC framing', () => {
  it('splits lines across chunks, strings and bytes alike', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.feed(Buffer.from('{"jsonrpc":"2.0","id":1,'));
    splitter.feed('"method":"initialize"}\n{"jsonrpc"');
    splitter.feed(Buffer.from(':"2.0","method":"x"}\r\n\n'));
    expect(lines).toEqual(['{"jsonrpc":"2.0","id":1,"method":"initialize"}', '{"jsonrpc":"2.0","method":"x"}']);
  });

  it('skips a line longer than the cap, whole, and keeps going', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.feed('x'.repeat(MAX_LINE + 10));
    splitter.feed('still the long line\n{"ok":1}\n');
    expect(lines).toEqual(['{"ok":1}']);
  });

  it('parses JSON-RPC only', () => {
    expect(parseMessage('{"jsonrpc":"2.0","id":0,"method":"initialize"}')?.method).toBe('initialize');
    expect(parseMessage('{"hello":"world"}')).toBeUndefined();
    expect(parseMessage('Content-Length: 12')).toBeUndefined();
    expect(parseMessages('[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}]').map((m) => m.method)).toEqual(['a', 'b']);
  });

  it('reads the handshake facts and call names, never arguments', () => {
    expect(helloOf({ protocolVersion: '2025-11-25', serverInfo: { name: 'x', version: '1' } })).toEqual({
      protocolVersion: '2025-11-25',
      serverInfo: { name: 'x', version: '1' },
    });
    // What a server says of itself since 2025-06-18/2025-11-25: title, description, websiteUrl (strings only).
    expect(
      helloOf({ serverInfo: { name: 'x', version: '1', title: 'X Server', description: 'Does x.', websiteUrl: 'https://x.example', icons: [{ src: 'a' }] } }).serverInfo,
    ).toEqual({ name: 'x', version: '1', title: 'X Server', description: 'Does x.', websiteUrl: 'https://x.example' });
    expect(helloOf({ serverInfo: { name: 'x', title: 7, description: { a: 1 }, websiteUrl: ['https://x'] } }).serverInfo).toEqual({ name: 'x' });
    expect(callNameOf('tools/call', { name: 'echo', arguments: { secret: 'no' } })).toBe('echo');
    expect(callNameOf('resources/read', { uri: 'file:///etc/passwd' })).toBe('file://');
    expect(uriLabel('test://static/resource/1')).toBe('test://static');
    expect(uriLabel('https://user:pw@host.example/x')).toBe('https://host.example');
  });

  it('reads headers in every form undici uses', () => {
    expect(headerOf(['Accept', 'x', 'mcp-session-id', 'abc'], 'mcp-session-id')).toBe('abc');
    expect(headerOf('accept: x\r\nMcp-Protocol-Version: 2025-06-18\r\n', 'mcp-protocol-version')).toBe('2025-06-18');
    expect(headerOf({ 'MCP-Session-Id': 's' }, 'mcp-session-id')).toBe('s');
  });
});

describe('config files', () => {
  it('reads stdio and HTTP servers, redacts args, never reads env or headers', () => {
    const servers = serversInConfig(
      JSON.stringify({
        mcpServers: {
          fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env: { API_KEY: 'topsecret' } },
          gh: { command: 'gh-mcp', args: ['--token', 'abc'] },
          remote: { type: 'http', url: 'https://u:p@mcp.example.com/mcp?k=1', headers: { Authorization: 'Bearer x' } },
          legacy: { url: 'https://old.example.com/sse' },
        },
      }),
    );
    expect(servers.map((s) => [s.name, s.transport, s.key])).toEqual([
      ['fs', 'stdio', 'npx -y @modelcontextprotocol/server-filesystem /tmp'],
      ['gh', 'stdio', `gh-mcp --token ${REDACTED}`],
      ['remote', 'streamable-http', 'https://mcp.example.com/mcp'],
      ['legacy', 'sse', 'https://old.example.com/sse'],
    ]);
    const text = JSON.stringify(servers);
    for (const secret of ['topsecret', 'abc', 'u:p', 'k=1', 'Bearer']) expect(text).not.toContain(secret);
    expect(serversInConfig('not json')).toEqual([]);
  });
});

describe('SDK layer helpers', () => {
  it('recognises the client modules of each library, in both builds', () => {
    expect(classifyModule('/a/node_modules/@modelcontextprotocol/sdk/dist/cjs/client/index.js')).toMatchObject({ library: '@modelcontextprotocol/sdk', flavor: 'cjs', client: true });
    expect(classifyModule('file:///a/node_modules/@modelcontextprotocol/sdk/dist/esm/client/streamableHttp.js')).toMatchObject({ flavor: 'esm', transport: 'streamable-http', client: false });
    expect(classifyModule('/a/node_modules/@modelcontextprotocol/client/dist/stdio.mjs')).toMatchObject({ library: '@modelcontextprotocol/client', transport: 'stdio' });
    expect(classifyModule('/a/node_modules/@ai-sdk/mcp/dist/mcp-stdio/index.js')).toMatchObject({ library: '@ai-sdk/mcp', transport: 'stdio' });
    expect(classifyModule('/a/node_modules/@modelcontextprotocol/sdk/dist/esm/server/index.js')).toBeUndefined();
  });

  it('keys transports the same way as the wire layer', () => {
    class StreamableHTTPClientTransport {
      _url = new URL('http://u:p@127.0.0.1:3001/mcp?x=1');
    }
    class SSEClientTransport {
      _url = new URL('https://h.example/sse');
    }
    expect(transportFacts({ _serverParams: { command: 'npx', args: ['-y', 'pkg', '--token', 't'] } })).toMatchObject({
      key: stdioKey('npx', ['-y', 'pkg', '--token', 't']),
      transport: 'stdio',
      name: 'pkg',
    });
    expect(transportFacts(new StreamableHTTPClientTransport())).toMatchObject({ key: 'http://127.0.0.1:3001/mcp', transport: 'streamable-http' });
    expect(transportFacts(new SSEClientTransport())).toMatchObject({ transport: 'sse' });
    expect(transportFacts({})).toBeUndefined();
  });
});

describe('inferMcp', () => {
  const make = () =>
    new Inventory(
      { pid: 1, ppid: 0, argv: [], cwd: '/', node: 'v20' },
      { version: 't', hookMode: 'cjs-only', visibility: 'full', preloadMs: 0, internalErrors: 0 },
    );
  const base: McpServerSeen = { kind: 'mcp-server', evidence: 'attempted', key: 'npx -y @x/server-foo', name: 'foo', transport: 'stdio' };
  const fromConfig: McpServerSeen = { ...base, evidence: 'config-file', configFile: 'claude-desktop' };
  const at = '2026-01-01T00:00:00.000Z';

  it('merges by key; serverInfo names the server; later partial facts keep the name', () => {
    const inventory = make();
    inferMcp({ ...base, connectedAt: at }, inventory, at);
    inferMcp({ ...base, evidence: 'handshake', name: base.key, serverInfo: { name: 'Foo Server', version: '1.0' }, failed: false }, inventory, at);
    inferMcp({ ...base, name: base.key, tools: ['a', 'b'] }, inventory, at);
    const [server] = inventory.snapshot().mcpServers;
    expect(server).toMatchObject({ name: 'Foo Server', confidence: 95, failed: false, tools: ['a', 'b'], connectedAt: at });
    expect(inventory.snapshot().mcpServers).toHaveLength(1);
  });

  it('a runtime connection outranks a config entry of the same key; other keys stay apart', () => {
    const inventory = make();
    inferMcp({ ...fromConfig, name: 'cfg' }, inventory, at);
    inferMcp({ ...fromConfig, key: 'other', name: 'other' }, inventory, at);
    inferMcp({ ...base }, inventory, at);
    inferMcp({ ...fromConfig }, inventory, at);
    const servers = inventory.snapshot().mcpServers;
    expect(servers.find((s) => s.key === base.key)).toMatchObject({ detectionMethod: 'sdk_runtime', confidence: 70 });
    expect(servers.find((s) => s.key === 'other')).toMatchObject({ detectionMethod: 'claude_config' });
  });

  it('turns calls into mcp:tool_use and mcp:resource_read with the server and tool as evidence', () => {
    const inventory = make();
    inferMcp({ ...base, serverInfo: { name: 'Foo' } }, inventory, at);
    inferMcp({ kind: 'mcp-call', serverKey: base.key, method: 'tools/call', name: 'echo' }, inventory, at);
    inferMcp({ kind: 'mcp-call', serverKey: base.key, method: 'tools/call', name: 'echo' }, inventory, at);
    inferMcp({ kind: 'mcp-call', serverKey: base.key, method: 'resources/read', name: 'file://' }, inventory, at);
    const snapshot = inventory.snapshot();
    const tool = snapshot.capabilities.find((c) => c.id === 'mcp:tool_use');
    expect(tool?.evidence).toHaveLength(1);
    expect(tool?.evidence[0]).toMatchObject({ strength: 'used', details: { server: 'Foo', tool: 'echo' }, firstSeen: at });
    expect(snapshot.capabilities.find((c) => c.id === 'mcp:resource_read')?.evidence[0]?.details).toEqual({ server: 'Foo', resource: 'file://' });
    expect(snapshot.mcpServers[0]?.toolsCalled).toEqual(['echo']);
  });
});

describe("a server's own words (serverInfo title, description, websiteUrl)", () => {
  it('are kept as one bounded line each, controls removed, credentials redacted; a website only as an http(s) URL', () => {
    const ESC = '\u001b';
    const clean = cleanServerFacts({
      key: 'k',
      serverInfo: {
        name: 'x',
        title: `Nice${ESC}[2J\nFAKE line\u202e`,
        description: `line one\nline two ghp_1234567890abcdefghijABCDEFGHIJ123456 ${'y'.repeat(5000)}`,
        websiteUrl: `https://x.example/docs${ESC}[31m`,
      },
    });
    expect(clean.serverInfo).toMatchObject({ name: 'x', title: 'Nice[2J FAKE line', websiteUrl: 'https://x.example/docs[31m' });
    expect(clean.serverInfo!.description!.startsWith('line one line two [REDACTED] yyy')).toBe(true);
    expect(clean.serverInfo!.description!.length).toBeLessThanOrEqual(1000);
    for (const site of ['javascript:alert(1)', 'file:///etc/passwd', 'https://', `https://x.example/${'a'.repeat(2000)}`]) {
      expect(cleanServerFacts({ key: 'k', serverInfo: { name: 'x', websiteUrl: site } }).serverInfo).toEqual({ name: 'x' });
    }
  });
});
