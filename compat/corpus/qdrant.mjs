// Qdrant's REST client: upsert a point, then search.
import { QdrantClient } from '@qdrant/js-client-rest';
const client = new QdrantClient({ url: process.env.FAKE_API, checkCompatibility: false });
await client.upsert('docs', { wait: true, points: [{ id: 1, vector: [0.1, 0.2, 0.3], payload: { t: 'a' } }] });
const hits = await client.search('docs', { vector: [0.1, 0.2, 0.3], limit: 1 });
console.log('qdrant', hits.length);
