import type { CapabilityId } from './ids.js';
import { packageRow } from './packages.js';

/**
 * What a request or a connection means, whoever made it: an LLM API is `ai:model_call` whichever
 * SDK or bundler sent it; a database's well-known port is a lower-confidence `db:*` hint.
 */
export interface HostRow {
  /** Exact host, or a suffix starting with a dot. */
  host: string;
  provider: string;
}

export const llmHosts: readonly HostRow[] = [
  { host: 'api.openai.com', provider: 'openai' },
  { host: 'api.anthropic.com', provider: 'anthropic' },
  { host: 'generativelanguage.googleapis.com', provider: 'google' },
  { host: 'aiplatform.googleapis.com', provider: 'google-vertex' },
  { host: '.openai.azure.com', provider: 'azure-openai' },
  { host: '.services.ai.azure.com', provider: 'azure-ai' },
  { host: 'api.mistral.ai', provider: 'mistral' },
  { host: 'api.groq.com', provider: 'groq' },
  { host: 'api.cohere.ai', provider: 'cohere' },
  { host: 'api.cohere.com', provider: 'cohere' },
  { host: 'api.together.xyz', provider: 'together' },
  { host: 'openrouter.ai', provider: 'openrouter' },
  { host: 'api.deepseek.com', provider: 'deepseek' },
  { host: 'api.x.ai', provider: 'xai' },
  { host: 'api.perplexity.ai', provider: 'perplexity' },
  { host: 'api.fireworks.ai', provider: 'fireworks' },
];

/** Paths that are LLM calls on any host (self-hosted gateways, proxies, Ollama, vLLM). */
export const llmPaths: readonly { pattern: RegExp; api: string }[] = [
  { pattern: /\/v1\/(chat\/completions|completions|responses|embeddings)$/, api: 'openai-compatible' },
  { pattern: /\/v1\/messages$/, api: 'anthropic-compatible' },
  { pattern: /:(generateContent|streamGenerateContent)$/, api: 'gemini' },
  { pattern: /^\/api\/(chat|generate|embed)$/, api: 'ollama' },
  { pattern: /^\/model\/[^/]+\/(invoke|converse)/, api: 'bedrock' },
];

export const databasePorts: ReadonlyMap<number, string> = new Map([
  [5432, 'postgres'],
  [3306, 'mysql'],
  [27017, 'mongodb'],
  [6379, 'redis'],
  [1433, 'mssql'],
  [9042, 'cassandra'],
  [9200, 'elasticsearch'],
  [5984, 'couchdb'],
  [7687, 'neo4j'],
  [8529, 'arangodb'],
]);

/**
 * Database drivers whose wire protocol the hooks read, by the catalog's package kind: their
 * statements say read or write. Other drivers' sockets count as both.
 */
export const databaseProtocols: ReadonlySet<string> = new Set(['postgres', 'redis', 'mysql']);

/** The database a package's own socket talks to, when the package is a database driver. */
export function databaseOfDriver(who: string): string | undefined {
  if (who === 'app') return undefined;
  const row = packageRow(who);
  return row && row.capabilities.includes('db:read') && row.kind !== 'sql-orm' ? row.kind : undefined;
}

/** Confidence, 0 to 100, by how the capability was seen. */
export const confidence = {
  /** The app called the API. */
  used: 95,
  /** A request to a known LLM host or path. */
  wireLlm: 90,
  /** A request to a vector store's read or write route. */
  wireVectorStore: 85,
  /** A connection to a well-known database port by code that is not a known driver: a hint. */
  databasePort: 40,
  /** A database driver's own socket, its statements unread. */
  driverSocket: 80,
  /** A metadata probe: a path looked at, not read. */
  probe: 20,
  /** A package that can do it was only loaded. */
  loaded: 30,
} as const;

export function llmProvider(host: string, path: string): string | undefined {
  const byHost = llmHosts.find((r) => (r.host.startsWith('.') ? host.endsWith(r.host) : host === r.host));
  if (byHost) return byHost.provider;
  return llmPaths.find((p) => p.pattern.test(path))?.api;
}

export const databaseCapabilities: readonly CapabilityId[] = ['db:read', 'db:write'];
