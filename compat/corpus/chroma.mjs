// Chroma's JS client: a collection, add a document with its embedding, then query.
import { ChromaClient } from 'chromadb';
const url = new URL(process.env.FAKE_API);
const client = new ChromaClient({ host: url.hostname, port: Number(url.port), ssl: false });
const collection = await client.getOrCreateCollection({ name: 'docs', embeddingFunction: null });
await collection.add({ ids: ['a'], embeddings: [[0.1, 0.2, 0.3]], documents: ['hello'] });
const result = await collection.query({ queryEmbeddings: [[0.1, 0.2, 0.3]], nResults: 1 });
console.log('chroma', result.ids[0].length);
