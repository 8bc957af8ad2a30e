/**
 * The MCP layer's one way out: observations to the agent's bus, plus the little shared state the
 * two layers need (which keys the SDK layer already follows, which client library a stack shows).
 * The layer is a bundle of its own (dist/mcp.cjs, see layer.ts): the bus, the circuit breaker and
 * the property copier are the agent's, handed over once as the host, never second copies.
 */
import { mcpClientPackages } from '../../catalog/index.js';
import type { McpEvidence, McpLaunch, McpServerSeen, Observation } from '../../observations/index.js';
import { MAX_LAUNCH_TEXT, MAX_TEXT, cleanName, cleanServerFacts, packageVersion, pathOfFileUrl } from '../../platform/index.js';

/** What the MCP layer uses of the agent that loaded it. */
export interface McpHost {
  observe(observation: Observation): void;
  internalError(error: unknown): void;
  inert(): boolean;
  copyOwnProperties(from: object, to: object): void;
}

/** Until activation (unit tests of the parsers): nothing observed, nothing counted. */
let host: McpHost = { observe: () => {}, internalError: () => {}, inert: () => false, copyOwnProperties: () => {} };

export function bindHost(agent: McpHost): void {
  host = agent;
}

export function internalError(error: unknown): void {
  host.internalError(error);
}

export function copyOwnProperties(from: object, to: object): void {
  host.copyOwnProperties(from, to);
}

export function inert(): boolean {
  return host.inert();
}

/** How a server was reached, with the label it goes by. */
export type LaunchFacts = McpLaunch & { name: string };

export function now(): string {
  return new Date().toISOString();
}

/** What a hook saw of one server, besides the kind of evidence. */
export type ServerFacts = Omit<McpServerSeen, 'kind' | 'evidence'>;

/**
 * Emits what is known about one server and how it was seen; inference merges it by key and gives
 * it meaning. Everything a server or a config file says is cleaned here, where it enters the
 * inventory, so that nothing downstream (the inventory file, `aim inspect`, reports to AIM) sees
 * terminal escapes, unbounded text or a credential inside a name.
 */
export function emitServer(evidence: McpEvidence, facts: ServerFacts): void {
  host.observe({ kind: 'mcp-server', evidence, ...cleanServerFacts(facts) });
}

export function emitCall(serverKey: string, method: string, name: string | undefined): void {
  const key = cleanName(serverKey, MAX_LAUNCH_TEXT);
  const safeMethod = cleanName(method, 64);
  host.observe(name === undefined ? { kind: 'mcp-call', serverKey: key, method: safeMethod } : { kind: 'mcp-call', serverKey: key, method: safeMethod, name: cleanName(name, MAX_TEXT) });
}

/**
 * Keys whose requests the SDK layer already sees: the wire layer stops scanning those after the
 * handshake, so a request is read once, by the layer that sees it whole.
 */
export const sdkFollowedKeys = new Set<string>();


const clientPackages = mcpClientPackages();

/** The MCP client library whose frame appears in a stack (name + version), if any. */
export function clientLibraryInStack(stack: string | undefined): { name: string; version?: string } | undefined {
  if (!stack) return undefined;
  for (const name of clientPackages) {
    const marker = `/node_modules/${name}/`;
    let at = stack.indexOf(marker);
    if (at < 0) at = stack.indexOf(marker.replace(/\//g, '\\'));
    if (at < 0) continue;
    // The path starts after the frame's `(` or `at ` (and a file:// prefix in ESM).
    const lineStart = Math.max(stack.lastIndexOf('(', at), stack.lastIndexOf('at ', at) + 2);
    let dir = stack.slice(lineStart + 1, at + marker.length - 1).trim();
    if (dir.startsWith('file://')) dir = pathOfFileUrl(dir) ?? dir;
    const version = packageVersion(dir);
    return version === undefined ? { name } : { name, version };
  }
  return undefined;
}

export { packageVersion };
