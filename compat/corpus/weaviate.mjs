// Weaviate's v3 client, as its docs show, over REST only: insert an object, then check that it
// exists (HEAD). Its queries go over gRPC, which the fake API does not speak; init checks off for
// the same reason.
import weaviate from 'weaviate-client';
const url = new URL(process.env.FAKE_API);
const client = await weaviate.connectToCustom({
  httpHost: url.hostname, httpPort: Number(url.port), httpSecure: false,
  grpcHost: url.hostname, grpcPort: Number(url.port), grpcSecure: false,
  skipInitChecks: true,
});
const docs = client.collections.use('Docs');
const id = await docs.data.insert({ properties: { t: 'a' }, vectors: [0.1, 0.2, 0.3] });
const found = await docs.data.exists(id);
console.log('weaviate', typeof id, found);
await client.close();
