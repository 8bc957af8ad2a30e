/**
 * What the hooks saw, before any meaning is given to it. Hooks produce these; inference turns them
 * into capabilities and MCP servers. Plain data: no functions, no references to app objects.
 */
import type { McpServer } from '../inventory/index.js';

/** Who made a call, from the calling frames. */
export interface Caller {
  /** `app`, or the npm package of the first non-internal frame. */
  who: string;
  /** `file:line` of the first application frame, where there is one. */
  location?: string;
}

/** A catalogued API of a builtin module was called (`fs.readFileSync`, `child_process.spawn`). */
export interface ApiUsed {
  kind: 'api';
  module: string;
  api: string;
  caller: Caller;
  /** Present when the catalog row decides by an argument (fs.open flags). */
  variant?: string;
}

/** A package was loaded: its name from node_modules, its directory (the version is read later). */
export interface PackageLoaded {
  kind: 'package';
  name: string;
  dir?: string;
}

/** An outbound HTTP request (http, https, fetch/undici): never headers, bodies or query strings. */
export interface HttpRequest {
  kind: 'http';
  method: string;
  protocol: string;
  host: string;
  path: string;
  client: 'http' | 'undici';
  caller: Caller;
}

/** An outbound TCP/TLS connection. */
export interface Connect {
  kind: 'connect';
  host: string;
  port: number;
  caller: Caller;
}

/** A server started listening. */
export interface Listen {
  kind: 'listen';
  port?: number;
  caller: Caller;
}

/** An MCP server the program connected to (or tried to): merged by `key`. */
export interface McpServerSeen {
  kind: 'mcp-server';
  server: McpServer;
}

/** An MCP request the program sent: names only, never arguments. */
export interface McpCall {
  kind: 'mcp-call';
  serverKey: string;
  method: string;
  /** The tool name for tools/call, the URI's scheme+host for resources/read. */
  name?: string;
  caller?: Caller;
}

export type Observation = ApiUsed | PackageLoaded | HttpRequest | Connect | Listen | McpServerSeen | McpCall;
