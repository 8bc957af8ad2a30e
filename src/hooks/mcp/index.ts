/**
 * MCP discovery, in two parts. This one is in the agent's startup bundle and only watches for MCP
 * to show up: an MCP client module required or resolved, a spawned child's first write to stdin
 * that is JSON, an HTTP request with MCP's headers (or an event stream), a WebSocket speaking
 * `mcp`. The first time one does, it loads the MCP layer (layer.ts, dist/mcp.cjs) and hands it
 * that first message; from then on the layer does the work:
 * - wire: the child's stdio carrying a JSON-RPC `initialize`, and MCP's HTTP exchanges on the
 *   undici diagnostics channels. Any client, any Node version, no SDK hook, no loader thread.
 * - SDK: the MCP client modules of catalog/mcp-clients.ts, for the client library, its version,
 *   tool names and calls.
 * The config files (`.mcp.json`, Claude Desktop) are no hook: src/register/mcp-config-files.ts.
 *
 * `installMcpHooks` only subscribes and registers: no MCP code is compiled, nothing is read at
 * startup, and it never throws.
 */
import type { ChildProcess } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { isMcpClientFile, mcpClientRequireNames } from '../../catalog/index.js';
import { observe } from '../../observations/index.js';
import { featuresOf } from '../../platform/index.js';
import { copyOwnProperties, whenBuiltinLoaded } from '../builtins.js';
import { stackText } from '../caller.js';
import { health, internalError } from '../health.js';
import type { McpLayer } from './layer.js';
import type { SpawnOptions } from './stdio.js';

/** How the agent loads the MCP layer's bundle (dist/mcp.cjs next to dist/agent.cjs); undefined when it cannot. */
export type LoadMcpLayer = () => Pick<typeof import('./layer.js'), 'activateMcpLayer'> | undefined;

/** Module names the core's require hook watches for the SDK layer (CJS builds of the client modules). */
export const MCP_CLIENT_MODULES = mcpClientRequireNames;

let load: LoadMcpLayer | undefined;
let loadTried = false;
let layer: McpLayer | undefined;

export function installMcpHooks(loadLayer: LoadMcpLayer): void {
  if (load) return;
  load = loadLayer;
  guarded(() => whenBuiltinLoaded('child_process', (childProcess: unknown) => guarded(() => patchChildProcess(childProcess))));
  subscribeGuarded('undici:request:create', (message: { request?: { headers?: unknown } }) => {
    if (layer || mentionsMcp(message.request?.headers)) mcp()?.httpRequestCreated(message);
  });
  subscribeGuarded('undici:websocket:open', (message: { protocol?: unknown }) => {
    if (message.protocol === 'mcp') mcp()?.webSocketOpened(message);
  });
  subscribeGuarded('undici:websocket:close', (message: { websocket?: { protocol?: unknown } }) => {
    if (message.websocket?.protocol === 'mcp') mcp()?.webSocketClosed(message);
  });
}

/** The MCP layer, loaded and activated the first time MCP shows up (once: a failure is final). */
function mcp(): McpLayer | undefined {
  if (layer || loadTried || !load) return layer;
  loadTried = true;
  try {
    const host = { observe, internalError, inert: () => health.inert, copyOwnProperties };
    layer = load()?.activateMcpLayer(host, { syncResolveHook: featuresOf().syncModuleHooks });
  } catch (error) {
    internalError(error);
  }
  return layer;
}

/** For the core's require hook (names in MCP_CLIENT_MODULES only): returns the exports unchanged. */
export function mcpModuleRequired(exports: unknown, name: string, basedir: string | undefined): unknown {
  if (health.inert) return exports;
  return mcp()?.moduleRequired(exports, name, basedir) ?? exports;
}

/** For the core's resolve hook: every resolved URL (cheap when it is no MCP client module's). */
export function mcpModuleResolved(url: string): void {
  if (health.inert || !(layer || isMcpClientFile(url))) return;
  mcp()?.moduleResolved(url);
}

const PATCHED = Symbol.for('aim.mcp.spawn');

/** Patches `ChildProcess.prototype.spawn` once (spawn, exec, execFile, fork and cross-spawn all use it). */
function patchChildProcess(childProcess: unknown): void {
  const proto = (childProcess as { ChildProcess?: { prototype?: Record<string | symbol, unknown> } })?.ChildProcess?.prototype;
  if (!proto || proto[PATCHED]) return;
  const original = proto.spawn as ((this: ChildProcess, options: SpawnOptions) => unknown) | undefined;
  if (typeof original !== 'function') return;
  const wrapped = function spawn(this: ChildProcess, options: SpawnOptions): unknown {
    // eslint-disable-next-line prefer-rest-params
    const result = original.apply(this, arguments as unknown as [SpawnOptions]);
    if (!health.inert) guarded(() => awaitFirstWrite(this, options));
    return result;
  };
  copyOwnProperties(original, wrapped);
  proto.spawn = wrapped;
  Object.defineProperty(proto, PATCHED, { value: true });
}

type Write = NonNullable<ChildProcess['stdin']>['write'];

/**
 * Wraps a piped child's `stdin.write` until the first non-empty chunk: JSON hands the child to
 * the MCP layer, anything else ends the watch. The wrapper is removed where nobody wrapped it since.
 */
function awaitFirstWrite(child: ChildProcess, options: SpawnOptions): void {
  const { stdin, stdout } = child;
  if (!stdin || !stdout || typeof stdin.write !== 'function' || typeof stdout.push !== 'function' || typeof options?.file !== 'string') return;
  const stack = stackText();
  const original = stdin.write;
  let waiting = true;
  const own = function write(this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    if (waiting && sizeOf(chunk) > 0) {
      waiting = false;
      if (stdin.write === own) {
        if (Object.getPrototypeOf(stdin).write === original) delete (stdin as { write?: unknown }).write;
        else stdin.write = original;
      }
      if (!health.inert && startsLikeJson(chunk)) guarded(() => mcp()?.childWrote(child, options, stack, chunk, rest[0]));
    }
    return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Write;
  stdin.write = own;
}

function sizeOf(chunk: unknown): number {
  return typeof chunk === 'string' ? chunk.length : chunk instanceof Uint8Array ? chunk.byteLength : 0;
}

function startsLikeJson(chunk: unknown): boolean {
  if (typeof chunk === 'string') return /^\s*[[{]/.test(chunk);
  if (chunk instanceof Uint8Array) {
    for (const byte of chunk) {
      if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
      return byte === 0x7b || byte === 0x5b;
    }
    return true;
  }
  return false;
}

/** MCP's request headers (session id, protocol version) or an event stream asked for, in any of undici's header forms. */
function mentionsMcp(headers: unknown): boolean {
  const text = Array.isArray(headers)
    ? headers.map(String).join('\n')
    : typeof headers === 'string'
      ? headers
      : headers && typeof headers === 'object'
        ? Object.entries(headers).join('\n')
        : '';
  return /mcp-session-id|mcp-protocol-version|text\/event-stream/i.test(text);
}

function subscribeGuarded<T>(name: string, fn: (message: T) => void): void {
  guarded(() => subscribe(name, (message) => !health.inert && guarded(() => fn(message as T))));
}

function guarded(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    internalError(error);
  }
}
