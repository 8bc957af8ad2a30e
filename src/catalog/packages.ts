import type { CapabilityId } from './ids.js';

/**
 * npm packages that can do something, as capabilities they give the program once loaded
 * (`loaded` strength). Use is seen at the wire (the builtins and channels they call); these rows
 * name what was only imported. `prefix` rows match a scope (`@langchain/`).
 */
export interface PackageRow {
  name: string;
  prefix?: boolean;
  capabilities: CapabilityId[];
  /** Shown as details: the LLM provider, the database. */
  kind: string;
}

const db: CapabilityId[] = ['db:read', 'db:write'];
const llm: CapabilityId[] = ['ai:model_call'];
const http: CapabilityId[] = ['api:call'];
const exec: CapabilityId[] = ['system:exec'];
const files: CapabilityId[] = ['file:read', 'file:write', 'file:delete'];

export const packageRows: readonly PackageRow[] = [
  // HTTP clients
  { name: 'undici', capabilities: http, kind: 'http-client' },
  { name: 'axios', capabilities: http, kind: 'http-client' },
  { name: 'got', capabilities: http, kind: 'http-client' },
  { name: 'node-fetch', capabilities: http, kind: 'http-client' },
  { name: 'ky', capabilities: http, kind: 'http-client' },
  { name: 'superagent', capabilities: http, kind: 'http-client' },
  // Databases
  { name: 'pg', capabilities: db, kind: 'postgres' },
  { name: 'postgres', capabilities: db, kind: 'postgres' },
  { name: 'mysql2', capabilities: db, kind: 'mysql' },
  { name: 'mysql', capabilities: db, kind: 'mysql' },
  { name: 'mongodb', capabilities: db, kind: 'mongodb' },
  { name: 'mongoose', capabilities: db, kind: 'mongodb' },
  { name: 'better-sqlite3', capabilities: db, kind: 'sqlite' },
  { name: 'sqlite3', capabilities: db, kind: 'sqlite' },
  { name: 'ioredis', capabilities: db, kind: 'redis' },
  { name: 'redis', capabilities: db, kind: 'redis' },
  { name: '@prisma/client', capabilities: db, kind: 'prisma' },
  { name: 'drizzle-orm', capabilities: db, kind: 'sql-orm' },
  { name: 'knex', capabilities: db, kind: 'sql-orm' },
  { name: 'sequelize', capabilities: db, kind: 'sql-orm' },
  { name: 'typeorm', capabilities: db, kind: 'sql-orm' },
  // LLM SDKs
  { name: 'openai', capabilities: llm, kind: 'openai' },
  { name: '@anthropic-ai/sdk', capabilities: llm, kind: 'anthropic' },
  { name: '@google/genai', capabilities: llm, kind: 'google' },
  { name: '@google/generative-ai', capabilities: llm, kind: 'google' },
  { name: '@mistralai/mistralai', capabilities: llm, kind: 'mistral' },
  { name: 'cohere-ai', capabilities: llm, kind: 'cohere' },
  { name: 'groq-sdk', capabilities: llm, kind: 'groq' },
  { name: 'ollama', capabilities: llm, kind: 'ollama' },
  { name: 'ai', capabilities: llm, kind: 'vercel-ai' },
  { name: '@ai-sdk/', prefix: true, capabilities: llm, kind: 'vercel-ai' },
  { name: '@langchain/', prefix: true, capabilities: llm, kind: 'langchain' },
  { name: 'langchain', capabilities: llm, kind: 'langchain' },
  { name: '@openai/agents', capabilities: llm, kind: 'openai' },
  // Process helpers
  { name: 'execa', capabilities: exec, kind: 'process' },
  { name: 'cross-spawn', capabilities: exec, kind: 'process' },
  { name: 'shelljs', capabilities: exec, kind: 'process' },
  { name: 'zx', capabilities: exec, kind: 'process' },
  // File helpers
  { name: 'fs-extra', capabilities: files, kind: 'files' },
];

const exact = new Map(packageRows.filter((r) => !r.prefix).map((r) => [r.name, r]));
const prefixed = packageRows.filter((r) => r.prefix);

export function packageRow(name: string): PackageRow | undefined {
  return exact.get(name) ?? prefixed.find((r) => name.startsWith(r.name));
}
