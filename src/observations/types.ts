/**
 * What the hooks saw, before any meaning is given to it. Hooks produce these; inference turns them
 * into capabilities and MCP servers. Plain data: no functions, no references to app objects. The
 * first stage's vocabulary: this folder imports nothing, every later stage may import it.
 */

/** How the agent's module hooks can see the program's modules (from the Node it runs on). */
export type HookMode = 'sync' | 'async' | 'cjs-only';

export type McpTransport = 'stdio' | 'streamable-http' | 'sse' | 'websocket';

/** Who made a call, from the calling frames. */
export interface Caller {
  /** `app`, or the npm package of the first non-internal frame. */
  who: string;
  /** `file:line` of the first application frame, where there is one. */
  location?: string;
  /**
   * The package the application called, when it is not `who` (an SDK whose HTTP client library
   * made the request: `who` is undici, `via` the vector store's client).
   */
  via?: string;
  /** The worker thread's id, when a worker thread made the call. */
  thread?: number;
}

/** A catalogued API of a builtin module was called (`fs.readFileSync`, `child_process.spawn`). */
export interface ApiUsed {
  kind: 'api';
  module: string;
  api: string;
  caller: Caller;
  /** Present when the catalog row decides by an argument (fs.open flags). */
  variant?: string;
  /** Facts about the call, never secrets (a probe's path). */
  details?: Record<string, string>;
  /** child_process: what runs, raw; inference redacts it before anything keeps it. */
  command?: Command;
  /** A metadata probe (stat, access, existsSync): never use; the path looked at is in `details.path`. */
  probe?: true;
}

/** A command line as the program gave it to child_process, before redaction. */
export interface Command {
  words: string[];
  shell: boolean;
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
  client: 'http' | 'http2' | 'undici';
  caller: Caller;
}

/**
 * An outbound TCP/TLS connection or local IPC socket, seen when the program asks for it (a refused
 * attempt is still the program using the network). `path` for IPC, `host` and `port` otherwise.
 */
export interface Connect {
  kind: 'connect';
  host?: string;
  port?: number;
  path?: string;
  caller: Caller;
}

/** A server started listening. */
export interface Listen {
  kind: 'listen';
  port?: number;
  caller: Caller;
}

/**
 * How a hook came to know of an MCP server. Only a fact: what each means (detection method,
 * confidence) is the catalog's (catalog/mcp.ts), applied by inference.
 * - `sdk-import`: a client library was loaded; `config-file`: declared in a config file;
 * - `attempted`: a handshake was sent (or a request seen); `failed`: it failed;
 * - `http-headers`: MCP headers on an HTTP exchange; `handshake`: the server answered initialize;
 * - `sdk-connected`: the client library reported a completed connect().
 */
export type McpEvidence = 'sdk-import' | 'config-file' | 'attempted' | 'http-headers' | 'handshake' | 'sdk-connected' | 'failed';

/** How a server is reached: what config files and client transports both can say. */
export interface McpLaunch {
  /** Stable identity: the launch command line or the URL (secrets redacted). */
  key: string;
  /** A label from the config file, the command or the URL. */
  name?: string;
  transport: McpTransport;
  command?: string;
  args?: string[];
  cwd?: string;
  url?: string;
}

/**
 * What an MCP server says of itself in its `initialize` answer (MCP's `Implementation`): `name`,
 * `version`; `title` (2025-06-18), `description` and `websiteUrl` (2025-11-25). Sanitized and
 * bounded before it enters the inventory (cleanServerFacts).
 */
export interface ServerInfo {
  name: string;
  version?: string;
  title?: string;
  description?: string;
  websiteUrl?: string;
}

/** An MCP server the program connected to, tried to, loaded a client for or declared: by `key`. */
export interface McpServerSeen extends McpLaunch {
  kind: 'mcp-server';
  evidence: McpEvidence;
  /** Which config file declared it (evidence `config-file`). */
  configFile?: 'project' | 'claude-desktop';
  serverInfo?: ServerInfo;
  protocolVersion?: string;
  clientLibrary?: { name: string; version?: string };
  connectedAt?: string;
  /** Set when the hook saw the handshake answered (false) or failing (true). */
  failed?: boolean;
  tools?: string[];
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

/**
 * A file the program touched, as the permission model counts it: `read` (metadata probes
 * included), `write` (deletes included), or `load` (Node reading the program's own modules).
 * The path is absolute, as given (never resolved through links), never with contents.
 */
export interface PathTouched {
  kind: 'path';
  path: string;
  access: 'read' | 'write' | 'load';
  /** The call: `fs.readFileSync`; absent for module loads. */
  api?: string;
  /** `prefix`: the start of a name Node completes (mkdtemp). */
  form?: 'prefix';
  caller?: Caller;
}

/** A program a child process started: its file name only, never its arguments. */
export interface ProgramSpawned {
  kind: 'spawn';
  program: string;
  api: string;
  caller: Caller;
}

/**
 * A Node feature the permission model gates on its own: a worker thread started (Node's
 * `worker_threads` channel), a native addon loaded (a `.node` file in the module cache), the
 * `wasi` builtin loaded.
 */
export interface RuntimeFeature {
  kind: 'runtime';
  feature: 'worker' | 'addon' | 'wasi';
}

export type Observation = RuntimeFeature | PathTouched | ProgramSpawned | ApiUsed | PackageLoaded | HttpRequest | Connect | Listen | McpServerSeen | McpCall;
