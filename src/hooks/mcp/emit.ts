/**
 * The MCP hooks' one way out: observations on the bus, plus the little shared state the two
 * layers need (which keys the SDK layer already follows, which client library a stack shows).
 */
import { mcpClientPackages } from '../../catalog/index.js';
import { observe, type McpEvidence, type McpLaunch, type McpServerSeen } from '../../observations/index.js';
import { packageVersion } from '../../platform/index.js';
import { copyOwnProperties } from '../builtins.js';
import { health, internalError } from '../health.js';

/** How a server was reached, with the label it goes by. */
export type LaunchFacts = McpLaunch & { name: string };

export function now(): string {
  return new Date().toISOString();
}

/** What a hook saw of one server, besides the kind of evidence. */
export type ServerFacts = Omit<McpServerSeen, 'kind' | 'evidence'>;

/** Emits what is known about one server and how it was seen; inference merges it by key and gives it meaning. */
export function emitServer(evidence: McpEvidence, facts: ServerFacts): void {
  observe({ kind: 'mcp-server', evidence, ...facts });
}

export function emitCall(serverKey: string, method: string, name: string | undefined): void {
  observe(name === undefined ? { kind: 'mcp-call', serverKey, method } : { kind: 'mcp-call', serverKey, method, name });
}

/**
 * Keys whose requests the SDK layer already sees: the wire layer stops scanning those after the
 * handshake (nothing at all, per design section 5).
 */
export const sdkFollowedKeys = new Set<string>();


/** The MCP client library whose frame appears in a stack (name + version), if any. */
export function clientLibraryInStack(stack: string | undefined): { name: string; version?: string } | undefined {
  if (!stack) return undefined;
  for (const name of mcpClientPackages) {
    const marker = `/node_modules/${name}/`;
    let at = stack.indexOf(marker);
    if (at < 0) at = stack.indexOf(marker.replace(/\//g, '\\'));
    if (at < 0) continue;
    // The path starts after the frame's `(` or `at ` (and a file:// prefix in ESM).
    const lineStart = Math.max(stack.lastIndexOf('(', at), stack.lastIndexOf('at ', at) + 2);
    let dir = stack.slice(lineStart + 1, at + marker.length - 1).trim();
    if (dir.startsWith('file://')) {
      try {
        dir = decodeURIComponent(new URL(dir).pathname);
      } catch {
        // keep as is
      }
    }
    const version = packageVersion(dir);
    return version === undefined ? { name } : { name, version };
  }
  return undefined;
}

// One circuit breaker, one property copier and one version reader for every hook.
export { copyOwnProperties, internalError, packageVersion };
/** The current stack as text, without running the app's Error.prepareStackTrace. */
export { stackText as captureStack } from '../caller.js';

export function inert(): boolean {
  return health.inert;
}
