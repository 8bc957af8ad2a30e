/**
 * MCP observations → inventory. Servers are merged by key (launch line or URL); the name is the
 * server's own `serverInfo.name` once the handshake was seen, else the first derived name.
 * A runtime connection outranks a config-file entry, which outranks a library that was only
 * loaded. Calls become `mcp:tool_use` / `mcp:resource_read` with the server and tool as evidence.
 */
import { mcpCallConfidence, mcpConfigFileConfidence, mcpEvidence } from '../catalog/index.js';
import type { Inventory, McpServer } from '../inventory/index.js';
import type { McpCall, McpServerSeen, Observation } from '../observations/index.js';

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

/** The inventory merges the record with what it knows (inventory/servers.ts). */
function applyServer(seen: McpServerSeen, inventory: Inventory): void {
  const server = serverOf(seen);
  const library = server.clientLibrary?.name;
  // A library that connected is known by its servers: its "only loaded" entry says nothing more.
  if (server.detectionMethod === 'sdk_import' && hasRuntimeServerOf(inventory, library)) return;
  if (server.detectionMethod === 'sdk_runtime') dropImportEntries(inventory, library);
  inventory.upsertServer(server);
}

function hasRuntimeServerOf(inventory: Inventory, library: string | undefined): boolean {
  return library !== undefined && inventory.serverList().some((s) => s.detectionMethod === 'sdk_runtime' && s.clientLibrary?.name === library);
}

function dropImportEntries(inventory: Inventory, library: string | undefined): void {
  if (library === undefined) return;
  for (const s of inventory.serverList()) {
    if (s.detectionMethod === 'sdk_import' && s.clientLibrary?.name === library) inventory.removeServer(s.key);
  }
}

/** What an MCP request means: the capability, and what its target is called in the evidence. */
const CALLS: Record<string, { capability: 'mcp:tool_use' | 'mcp:resource_read'; target: 'tool' | 'resource' }> = {
  'tools/call': { capability: 'mcp:tool_use', target: 'tool' },
  'resources/read': { capability: 'mcp:resource_read', target: 'resource' },
};

function applyCall(call: McpCall, inventory: Inventory, now: string): void {
  const meaning = CALLS[call.method];
  if (!meaning) return;
  const server = inventory.server(call.serverKey);
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
    inventory.upsertServer({ ...server, toolsCalled: [call.name] });
  }
}
