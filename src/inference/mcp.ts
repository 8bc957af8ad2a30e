/**
 * MCP observations → inventory. Servers are merged by key (launch line or URL); the name is the
 * server's own `serverInfo.name` once the handshake was seen, else the first derived name.
 * A runtime connection outranks a config-file entry, which outranks a library that was only
 * loaded. Calls become `mcp:tool_use` / `mcp:resource_read` with the server and tool as evidence.
 */
import { detectionRank, mcpCallConfidence, mcpConfigFileConfidence, mcpEvidence } from '../catalog/index.js';
import type { Inventory, McpServer } from '../inventory/index.js';
import type { McpCall, McpServerSeen, Observation } from '../observations/index.js';

/** What this module knows per inventory: the merged server per key. */
const state = new WeakMap<Inventory, Map<string, McpServer>>();

function serversOf(inventory: Inventory): Map<string, McpServer> {
  let servers = state.get(inventory);
  if (!servers) {
    servers = new Map();
    state.set(inventory, servers);
  }
  return servers;
}

export function inferMcp(observation: Observation, inventory: Inventory, now: string): void {
  if (observation.kind === 'mcp-server') applyServer(observation, inventory);
  else if (observation.kind === 'mcp-call') applyCall(observation, inventory, now);
}

/** A sighting as a server record: its detection method and confidence from the catalog. */
export function serverOf(seen: McpServerSeen): McpServer {
  const { kind: _kind, evidence, configFile, ...facts } = seen;
  const meaning = mcpEvidence[evidence];
  return {
    ...facts,
    name: facts.name ?? facts.serverInfo?.name ?? facts.key,
    detectionMethod: meaning.detectionMethod,
    confidence: configFile ? mcpConfigFileConfidence[configFile] : meaning.confidence,
  };
}

function applyServer(seen: McpServerSeen, inventory: Inventory): void {
  const server = serverOf(seen);
  const servers = serversOf(inventory);
  // A library that connected is known by its servers: its "only loaded" entry says nothing more.
  if (server.detectionMethod === 'sdk_import' && hasRuntimeServerOf(servers, server.clientLibrary?.name)) return;
  if (server.detectionMethod === 'sdk_runtime') dropImportEntries(servers, inventory, server.clientLibrary?.name);
  const known = servers.get(server.key);
  const merged = known ? merge(known, server) : { ...definedOnly(server) };
  merged.name = merged.serverInfo?.name ?? known?.name ?? server.name;
  servers.set(server.key, merged);
  inventory.upsertServer({ ...merged });
}

function hasRuntimeServerOf(servers: Map<string, McpServer>, library: string | undefined): boolean {
  return library !== undefined && [...servers.values()].some((s) => s.detectionMethod === 'sdk_runtime' && s.clientLibrary?.name === library);
}

function dropImportEntries(servers: Map<string, McpServer>, inventory: Inventory, library: string | undefined): void {
  if (library === undefined) return;
  for (const [key, s] of servers) {
    if (s.detectionMethod === 'sdk_import' && s.clientLibrary?.name === library) {
      servers.delete(key);
      inventory.removeServer(key);
    }
  }
}

function merge(known: McpServer, next: McpServer): McpServer {
  const lower = detectionRank[next.detectionMethod] < detectionRank[known.detectionMethod];
  const merged: McpServer = lower ? { ...definedOnly(next), ...definedOnly(known) } : { ...known, ...definedOnly(next) };
  merged.detectionMethod = lower ? known.detectionMethod : next.detectionMethod;
  merged.confidence = Math.max(known.confidence, next.confidence);
  if (known.connectedAt) merged.connectedAt = known.connectedAt;
  if (known.failed === false || next.failed === false) merged.failed = false;
  if (known.tools || next.tools) merged.tools = union(known.tools, next.tools);
  if (known.toolsCalled || next.toolsCalled) merged.toolsCalled = union(known.toolsCalled, next.toolsCalled);
  return merged;
}

/** What an MCP request means: the capability, and what its target is called in the evidence. */
const CALLS: Record<string, { capability: 'mcp:tool_use' | 'mcp:resource_read'; target: 'tool' | 'resource' }> = {
  'tools/call': { capability: 'mcp:tool_use', target: 'tool' },
  'resources/read': { capability: 'mcp:resource_read', target: 'resource' },
};

function applyCall(call: McpCall, inventory: Inventory, now: string): void {
  const meaning = CALLS[call.method];
  if (!meaning) return;
  const servers = serversOf(inventory);
  const server = servers.get(call.serverKey);
  const serverName = server?.name ?? call.serverKey;
  const target = call.name ?? '?';
  inventory.addEvidence(
    meaning.capability,
    {
      strength: 'used',
      api: `mcp ${serverName} ${call.method} ${target}`,
      who: call.caller?.who ?? 'app',
      ...(call.caller?.location ? { location: call.caller.location } : {}),
      firstSeen: now,
      details: { server: serverName, [meaning.target]: target },
    },
    mcpCallConfidence,
  );
  if (meaning.target === 'tool' && call.name !== undefined) inventory.recordToolUse(call.serverKey, call.name, now);
  if (meaning.target === 'tool' && server && call.name !== undefined && !server.toolsCalled?.includes(call.name)) {
    server.toolsCalled = union(server.toolsCalled, [call.name]);
    inventory.upsertServer({ ...server });
  }
}

function union(a: string[] = [], b: string[] = []): string[] {
  return [...new Set([...a, ...b])];
}

function definedOnly(server: McpServer): McpServer {
  return Object.fromEntries(Object.entries(server).filter(([, v]) => v !== undefined)) as unknown as McpServer;
}
