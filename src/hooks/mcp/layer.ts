/**
 * The MCP layer: all that MCP discovery does once MCP shows up, built to its own bundle
 * (dist/mcp.cjs) so that a process without MCP never compiles it. index.ts (in the agent's
 * bundle) loads it the first time an MCP client module loads, a child's stdin gets JSON, an HTTP
 * request carries MCP's headers or a WebSocket speaks `mcp`, and hands it those first messages.
 */
import type { ChildProcess } from 'node:child_process';
import { expectResolutions, mcpModuleRequired, mcpModuleResolved } from './client-modules.js';
import { bindHost, type McpHost } from './emit.js';
import { onCreate, onWebSocketClose, onWebSocketOpen, subscribeHttpFollowUps } from './http.js';
import { watchChild, type SpawnOptions } from './stdio.js';

export type { McpHost };

export interface McpLayer {
  /** A spawned child's first write to stdin, which was JSON: watch the child from there on. */
  childWrote(child: ChildProcess, options: SpawnOptions, stack: string | undefined, chunk: unknown, encoding: unknown): void;
  httpRequestCreated(message: unknown): void;
  webSocketOpened(message: unknown): void;
  webSocketClosed(message: unknown): void;
  moduleRequired(exports: unknown, name: string, basedir: string | undefined): unknown;
  moduleResolved(url: string): void;
}

/** Binds the layer to the agent that loaded it; called once per process. */
export function activateMcpLayer(host: McpHost, options: { syncResolveHook: boolean }): McpLayer {
  bindHost(host);
  expectResolutions(options.syncResolveHook);
  subscribeHttpFollowUps();
  return {
    childWrote: (child, spawnOptions, stack, chunk, encoding) => watchChild(child, spawnOptions, stack)?.sniffOutgoing(chunk, encoding),
    httpRequestCreated: (message) => onCreate(message as Parameters<typeof onCreate>[0]),
    webSocketOpened: (message) => onWebSocketOpen(message as Parameters<typeof onWebSocketOpen>[0]),
    webSocketClosed: (message) => onWebSocketClose(message as Parameters<typeof onWebSocketClose>[0]),
    moduleRequired: mcpModuleRequired,
    moduleResolved: mcpModuleResolved,
  };
}
