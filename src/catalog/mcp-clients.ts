/**
 * The MCP client libraries, as one table: which files of which package the MCP hooks look for,
 * what each file is (the module that exports the `Client` class, or a transport) and its module
 * flavor. The hooks derive everything from it: the require names to watch, the resolved URLs to
 * test, the client module to adopt from any file of a package, the libraries named in a stack.
 * test/catalog-mcp-clients.test.ts checks that every row's file exists in the installed packages.
 */

export type McpClientFlavor = 'cjs' | 'esm';

export interface McpClientFile {
  /** The npm package. */
  package: string;
  /** The package's major versions with this file (`>=2`, `1`); every version when absent. */
  versions?: string;
  /** Path inside the package, `/`-separated. */
  file: string;
  /** `client`: the module exporting the Client class (patched); `transport`: a transport only. */
  role: 'client' | 'transport';
  /** The transport the module implements, if any (a client module may bring one). */
  transport?: 'stdio' | 'streamable-http' | 'sse' | 'websocket';
  flavor: McpClientFlavor;
  /** What the app `require()`s to load it (CommonJS files the require hook watches). */
  requireNames?: readonly string[];
}

const v1 = '@modelcontextprotocol/sdk';
const v2 = '@modelcontextprotocol/client';
const ai = '@ai-sdk/mcp';

/** Each of the v1 SDK's client modules, in its CommonJS and ES module builds. */
function sdkV1(name: string, role: McpClientFile['role'], transport?: McpClientFile['transport']): McpClientFile[] {
  const cjs = `dist/cjs/client/${name}.js`;
  const requireNames = [`${v1}/client/${name}.js`, `${v1}/${cjs}`, ...(name === 'index' ? [`${v1}/client`] : [])];
  const common = { package: v1, role, ...(transport ? { transport } : {}) };
  return [
    { ...common, file: cjs, flavor: 'cjs', requireNames },
    { ...common, file: `dist/esm/client/${name}.js`, flavor: 'esm' },
  ];
}

export const mcpClientFiles: readonly McpClientFile[] = [
  ...sdkV1('index', 'client'),
  ...sdkV1('stdio', 'transport', 'stdio'),
  ...sdkV1('streamableHttp', 'transport', 'streamable-http'),
  ...sdkV1('sse', 'transport', 'sse'),
  ...sdkV1('websocket', 'transport', 'websocket'),
  { package: v2, file: 'dist/index.cjs', role: 'client', transport: 'streamable-http', flavor: 'cjs', requireNames: [v2] },
  { package: v2, file: 'dist/index.mjs', role: 'client', transport: 'streamable-http', flavor: 'esm' },
  { package: v2, file: 'dist/stdio.cjs', role: 'transport', transport: 'stdio', flavor: 'cjs', requireNames: [`${v2}/stdio`] },
  { package: v2, file: 'dist/stdio.mjs', role: 'transport', transport: 'stdio', flavor: 'esm' },
  // @ai-sdk/mcp has its own client (no class to patch): its transports say the library is there.
  { package: ai, versions: '>=2', file: 'dist/index.js', role: 'transport', transport: 'streamable-http', flavor: 'esm' },
  { package: ai, versions: '>=2', file: 'dist/mcp-stdio/index.js', role: 'transport', transport: 'stdio', flavor: 'esm' },
  { package: ai, versions: '1', file: 'dist/index.js', role: 'transport', transport: 'streamable-http', flavor: 'cjs' },
  { package: ai, versions: '1', file: 'dist/index.mjs', role: 'transport', transport: 'streamable-http', flavor: 'esm' },
  { package: ai, versions: '1', file: 'dist/mcp-stdio/index.js', role: 'transport', transport: 'stdio', flavor: 'cjs' },
  { package: ai, versions: '1', file: 'dist/mcp-stdio/index.mjs', role: 'transport', transport: 'stdio', flavor: 'esm' },
];

/**
 * Every MCP client library, also those whose files are not hooked (LangChain's adapters run the
 * SDK's client): a frame of theirs in a stack names the library that made a connection.
 */
export const mcpClientPackages: readonly string[] = [...new Set(mcpClientFiles.map((row) => row.package)), '@langchain/mcp-adapters'];

/** What `require()` names load the CommonJS client modules: the require hook watches these. */
export const mcpClientRequireNames: readonly string[] = mcpClientFiles.flatMap((row) => row.requireNames ?? []);

/** Whether a resolved file or URL lies in a client library whose files are hooked. */
export function isMcpClientFile(fileOrUrl: string): boolean {
  const path = fileOrUrl.replace(/\\/g, '/');
  return path.includes('/node_modules/') && mcpClientFiles.some((row) => path.includes(`/node_modules/${row.package}/`));
}
