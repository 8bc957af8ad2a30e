import type { CapabilityId } from './ids.js';

/**
 * Vector stores speak HTTP: their routes say whether a request reads or writes the store. A
 * route counts when the request goes to the store's cloud host, or when the store's own client
 * package sent it (self-hosted, any address): `/query` on some other API is not Pinecone.
 */
const stores: Readonly<Record<string, { client: string; hostSuffix: string }>> = {
  qdrant: { client: '@qdrant/', hostSuffix: '.qdrant.io' },
  pinecone: { client: '@pinecone-database/', hostSuffix: '.pinecone.io' },
  chroma: { client: 'chromadb', hostSuffix: '.trychroma.com' },
  weaviate: { client: 'weaviate-client', hostSuffix: '.weaviate.cloud' },
};

interface VectorRoute {
  store: string;
  methods: readonly string[];
  path: RegExp;
  capability: CapabilityId;
}

const route = (store: string, methods: string, path: RegExp, capability: CapabilityId): VectorRoute => ({
  store,
  methods: methods.split(' '),
  path,
  capability,
});

export const vectorStoreRoutes: readonly VectorRoute[] = [
  // Qdrant REST
  route('qdrant', 'PUT POST', /^\/collections\/[^/]+\/points(\/(delete|payload|vectors)(\/delete)?)?$/, 'db:write'),
  route('qdrant', 'POST', /^\/collections\/[^/]+\/points\/(search|query|scroll|recommend|discover|count|groups)(\/batch|\/groups)?$/, 'db:read'),
  route('qdrant', 'GET', /^\/collections\/[^/]+\/points\/[^/]+$/, 'db:read'),
  route('qdrant', 'PUT DELETE', /^\/collections\/[^/]+$/, 'db:write'),
  // Pinecone data plane (the index host)
  route('pinecone', 'POST', /^\/vectors\/(upsert|update|delete)$/, 'db:write'),
  route('pinecone', 'POST GET', /^\/(query|vectors\/fetch|vectors\/list)$/, 'db:read'),
  route('pinecone', 'POST', /^\/records\/namespaces\/[^/]+\/upsert$/, 'db:write'),
  route('pinecone', 'POST', /^\/records\/namespaces\/[^/]+\/search$/, 'db:read'),
  // Chroma (v1 and v2 HTTP APIs)
  route('chroma', 'POST', /^\/api\/v[12]\/.*collections\/[^/]+\/(add|upsert|update|delete)$/, 'db:write'),
  route('chroma', 'POST GET', /^\/api\/v[12]\/.*collections\/[^/]+\/(query|get|count)$/, 'db:read'),
  // Weaviate REST and GraphQL
  route('weaviate', 'POST PUT PATCH DELETE', /^\/v1\/(objects|batch\/objects)(\/.*)?$/, 'db:write'),
  route('weaviate', 'GET HEAD', /^\/v1\/objects(\/.*)?$/, 'db:read'),
  route('weaviate', 'POST', /^\/v1\/graphql$/, 'db:read'),
];

/** The vector store use of one HTTP request by `who` (`app` or a package), when its route is a known one. */
export function vectorStoreUse(method: string, host: string, path: string, who: string): { store: string; capability: CapabilityId } | undefined {
  const upper = method.toUpperCase();
  const hostname = host.replace(/:\d+$/, '');
  const row = vectorStoreRoutes.find((r) => {
    const store = stores[r.store]!;
    return (who.startsWith(store.client) || hostname.endsWith(store.hostSuffix)) && r.methods.includes(upper) && r.path.test(path);
  });
  return row && { store: row.store, capability: row.capability };
}
