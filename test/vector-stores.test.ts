import { describe, expect, it } from 'vitest';
import { vectorStoreUse } from '../src/catalog/index.js';

/**
 * The vector-store route table (src/catalog/vector-stores.ts): a request reads or writes a store
 * by its route, and counts only from the store's own client package or to its cloud host.
 * The requests below are the ones the corpus programs (compat/corpus/) really send.
 */
describe('vector store routes', () => {
  it.each([
    ['PUT', 'localhost:6333', '/collections/docs/points', '@qdrant/js-client-rest', 'qdrant', 'db:write'],
    ['POST', 'localhost:6333', '/collections/docs/points/query', '@qdrant/js-client-rest', 'qdrant', 'db:read'],
    ['POST', 'idx-abc.svc.pinecone.io', '/vectors/upsert', 'app', 'pinecone', 'db:write'],
    ['POST', 'idx-abc.svc.pinecone.io', '/query', 'app', 'pinecone', 'db:read'],
    ['POST', 'localhost:8000', '/api/v2/tenants/t/databases/d/collections/c/add', 'chromadb', 'chroma', 'db:write'],
    ['POST', 'localhost:8000', '/api/v2/tenants/t/databases/d/collections/c/query', 'chromadb', 'chroma', 'db:read'],
    ['POST', 'localhost:8080', '/v1/objects', 'weaviate-client', 'weaviate', 'db:write'],
    ['HEAD', 'localhost:8080', '/v1/objects/Docs/3f1c6a2e-0000-4000-8000-000000000002', 'weaviate-client', 'weaviate', 'db:read'],
    ['POST', 'x.c0.europe-west3.gcp.weaviate.cloud', '/v1/graphql', 'app', 'weaviate', 'db:read'],
  ])('%s %s%s by %s: %s %s', (method, host, path, who, store, capability) => {
    expect(vectorStoreUse(method, host, path, who)).toEqual({ store, capability });
  });

  it.each([
    ['POST', 'localhost:9000', '/query', 'app'],
    ['POST', 'localhost:8080', '/v1/objects', 'app'],
    ['GET', 'api.example.com', '/collections/docs/points/1', 'axios'],
  ])('%s %s%s by %s is no vector store', (method, host, path, who) => {
    expect(vectorStoreUse(method, host, path, who)).toBeUndefined();
  });
});
