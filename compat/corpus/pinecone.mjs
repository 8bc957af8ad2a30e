// Pinecone: an index by its host, upsert then query.
import { Pinecone } from '@pinecone-database/pinecone';
const pc = new Pinecone({ apiKey: 'pc-test' });
const index = pc.index({ name: 'docs', host: process.env.FAKE_API });
await index.upsert({ records: [{ id: 'a', values: [0.1, 0.2, 0.3] }] });
const result = await index.query({ vector: [0.1, 0.2, 0.3], topK: 1 });
console.log('pinecone', result.matches.length);
