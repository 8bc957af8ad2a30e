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
const http = 'streamable-http';

/** One row, its columns in the table's order (positional: the table is parsed by every process). */
function row(
  pkg: string,
  file: string,
  role: McpClientFile['role'],
  transport: McpClientFile['transport'],
  flavor: McpClientFlavor,
  extra: Pick<McpClientFile, 'versions' | 'requireNames'> = {},
): McpClientFile {
  return { package: pkg, file, role, ...(transport ? { transport } : {}), flavor, ...extra };
}

/** Each of the v1 SDK's client modules, in its CommonJS and ES module builds. */
function sdkV1(name: string, role: McpClientFile['role'], transport?: McpClientFile['transport']): McpClientFile[] {
  const cjs = `dist/cjs/client/${name}.js`;
  const requireNames = [`${v1}/client/${name}.js`, `${v1}/${cjs}`, ...(name === 'index' ? [`${v1}/client`] : [])];
  return [row(v1, cjs, role, transport, 'cjs', { requireNames }), row(v1, `dist/esm/client/${name}.js`, role, transport, 'esm')];
}

export const mcpClientFiles: readonly McpClientFile[] = [
  // package, file, role, transport, flavor, (versions, require names)
  ...sdkV1('index', 'client'),
  ...sdkV1('stdio', 'transport', 'stdio'),
  ...sdkV1('streamableHttp', 'transport', http),
  ...sdkV1('sse', 'transport', 'sse'),
  ...sdkV1('websocket', 'transport', 'websocket'),
  row(v2, 'dist/index.cjs', 'client', http, 'cjs', { requireNames: [v2] }),
  row(v2, 'dist/index.mjs', 'client', http, 'esm'),
  row(v2, 'dist/stdio.cjs', 'transport', 'stdio', 'cjs', { requireNames: [`${v2}/stdio`] }),
  row(v2, 'dist/stdio.mjs', 'transport', 'stdio', 'esm'),
  // @ai-sdk/mcp has its own client (no class to patch): its transports say the library is there.
  row(ai, 'dist/index.js', 'transport', http, 'esm', { versions: '>=2' }),
  row(ai, 'dist/mcp-stdio/index.js', 'transport', 'stdio', 'esm', { versions: '>=2' }),
  row(ai, 'dist/index.js', 'transport', http, 'cjs', { versions: '1' }),
  row(ai, 'dist/index.mjs', 'transport', http, 'esm', { versions: '1' }),
  row(ai, 'dist/mcp-stdio/index.js', 'transport', 'stdio', 'cjs', { versions: '1' }),
  row(ai, 'dist/mcp-stdio/index.mjs', 'transport', 'stdio', 'esm', { versions: '1' }),
];

/**
 * Every MCP client library, also those whose files are not hooked (LangChain's adapters run the
 * SDK's client): a frame of theirs in a stack names the library that made a connection.
 */
export function mcpClientPackages(): string[] {
  return [...new Set(mcpClientFiles.map((row) => row.package)), '@langchain/mcp-adapters'];
}

/** What `require()` names load the CommonJS client modules: the require hook watches these. */
export const mcpClientRequireNames: readonly string[] = mcpClientFiles.flatMap((row) => row.requireNames ?? []);

/** Whether a resolved file or URL lies in a client library whose files are hooked. */
export function isMcpClientFile(fileOrUrl: string): boolean {
  const path = fileOrUrl.replace(/\\/g, '/');
  return path.includes('/node_modules/') && mcpClientFiles.some((row) => path.includes(`/node_modules/${row.package}/`));
}
