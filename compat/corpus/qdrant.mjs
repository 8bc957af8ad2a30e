// Qdrant's REST client: upsert a point, then query for its neighbours.
import { QdrantClient } from '@qdrant/js-client-rest';
const client = new QdrantClient({ url: process.env.FAKE_API, checkCompatibility: false });
await client.upsert('docs', { wait: true, points: [{ id: 1, vector: [0.1, 0.2, 0.3], payload: { t: 'a' } }] });
const { points } = await client.query('docs', { query: [0.1, 0.2, 0.3], limit: 1 });
console.log('qdrant', points.length);
