/**
 * The one merge rule for MCP server records: two sightings of one server (same key), live in one
 * process (a config entry, then the connection) or across the processes `aim inspect` merges.
 */
import { detectionRank } from '../catalog/index.js';
import type { McpServer } from './types.js';

/**
 * The stronger detection method's facts win and the weaker only fill gaps (a later config-file
 * sighting never turns an `sdk_runtime` server back into `claude_config`); the highest confidence;
 * the first connection time; not failed once any sighting saw it answer; the union of tools and
 * of tools called. The name is the server's own (serverInfo) once known, else the first label.
 */
export function mergeServer(known: McpServer | undefined, next: McpServer): McpServer {
  if (!known) {
    const first = definedOnly(next);
    first.name = first.serverInfo?.name ?? next.name;
    return first;
  }
  const nextIsWeaker = detectionRank[next.detectionMethod] < detectionRank[known.detectionMethod];
  const merged: McpServer = nextIsWeaker ? { ...definedOnly(next), ...definedOnly(known) } : { ...known, ...definedOnly(next) };
  merged.detectionMethod = nextIsWeaker ? known.detectionMethod : next.detectionMethod;
  merged.confidence = Math.max(known.confidence, next.confidence);
  merged.name = merged.serverInfo?.name ?? known.name;
  if (known.connectedAt) merged.connectedAt = known.connectedAt;
  if (known.failed === false || next.failed === false) merged.failed = false;
  if (known.tools || next.tools) merged.tools = union(known.tools, next.tools);
  if (known.toolsCalled || next.toolsCalled) merged.toolsCalled = union(known.toolsCalled, next.toolsCalled);
  return merged;
}

function union(a: string[] = [], b: string[] = []): string[] {
  return [...new Set([...a, ...b])];
}

function definedOnly<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}
