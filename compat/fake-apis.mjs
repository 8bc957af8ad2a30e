/**
 * Stand-ins for the remote services the corpus programs call (LLM APIs, S3, vector stores, an
 * SMTP server), run in a process of their own without the agent, on loopback. They answer just
 * enough for each SDK to finish its call the way its docs show; the programs' inventories are
 * about the programs, so the servers live elsewhere.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';

const json = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const chat = (model) => ({
  id: 'chatcmpl-1', object: 'chat.completion', created: 1700000000, model: model ?? 'gpt-test',
  choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: 'hello from the fake', refusal: null } }],
  usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
});

const response = (model) => ({
  id: 'resp_1', object: 'response', created_at: 1700000000, status: 'completed', model: model ?? 'gpt-test', error: null,
  incomplete_details: null, instructions: null, metadata: {}, parallel_tool_calls: true, temperature: 1, tool_choice: 'auto', tools: [], top_p: 1,
  output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'hello from the fake', annotations: [] }] }],
  usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
});

function route(req, body, res) {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  let parsed = {};
  try { parsed = body ? JSON.parse(body) : {}; } catch {}
  if (p.endsWith('/chat/completions')) return json(res, 200, chat(parsed.model));
  if (p.endsWith('/responses')) return json(res, 200, response(parsed.model));
  if (p.endsWith('/embeddings')) return json(res, 200, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }], model: 'e', usage: { prompt_tokens: 1, total_tokens: 1 } });
  if (p.endsWith('/v1/messages')) return json(res, 200, { id: 'msg_1', type: 'message', role: 'assistant', model: parsed.model, content: [{ type: 'text', text: 'hello from the fake' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 4 } });
  if (p.endsWith(':generateContent')) return json(res, 200, { candidates: [{ content: { role: 'model', parts: [{ text: 'hello from the fake' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 } });
  if (p === '/api/chat') return json(res, 200, { model: parsed.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: 'hello from the fake' }, done: true, done_reason: 'stop' });
  if (/^\/model\/[^/]+\/converse$/.test(p)) return json(res, 200, { output: { message: { role: 'assistant', content: [{ text: 'hello from the fake' }] } }, stopReason: 'end_turn', usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 }, metrics: { latencyMs: 1 } });
  // Qdrant
  if (/^\/collections\/[^/]+$/.test(p) && req.method === 'PUT') return json(res, 200, { result: true, status: 'ok', time: 0 });
  if (/^\/collections\/[^/]+\/points$/.test(p)) return json(res, 200, { result: { operation_id: 1, status: 'completed' }, status: 'ok', time: 0 });
  if (/^\/collections\/[^/]+\/points\/(search|query)$/.test(p)) return json(res, 200, { result: p.endsWith('query') ? { points: [{ id: 1, version: 0, score: 0.9 }] } : [{ id: 1, version: 0, score: 0.9 }], status: 'ok', time: 0 });
  // Pinecone data plane
  if (p === '/vectors/upsert') return json(res, 200, { upsertedCount: 1 });
  if (p === '/query') return json(res, 200, { matches: [{ id: 'a', score: 0.9 }], namespace: '', usage: { readUnits: 1 } });
  // Chroma v2
  if (p === '/api/v2/auth/identity') return json(res, 200, { user_id: 'u', tenant: 'default_tenant', databases: ['default_database'] });
  if (p === '/api/v2/pre-flight-checks') return json(res, 200, { max_batch_size: 100 });
  if (p === '/api/v2/heartbeat') return json(res, 200, { 'nanosecond heartbeat': 1 });
  if (/^\/api\/v2\/tenants\/[^/]+\/databases\/[^/]+\/collections$/.test(p) && req.method === 'POST') {
    return json(res, 200, { id: '3f1c6a2e-0000-4000-8000-000000000001', name: parsed.name ?? 'docs', configuration_json: {}, metadata: null, dimension: 3, tenant: 'default_tenant', database: 'default_database', log_position: 0, version: 0 });
  }
  if (/\/collections\/[^/]+\/(add|upsert)$/.test(p)) return json(res, 201, {});
  if (/\/collections\/[^/]+\/query$/.test(p)) return json(res, 200, { ids: [['a']], distances: [[0]], documents: [['hello']], metadatas: [[null]], embeddings: null, uris: null, include: ['documents', 'distances', 'metadatas'] });
  // Weaviate REST (the v3 client's data API; its queries use gRPC, which this fake does not speak)
  if (p === '/v1/meta') return json(res, 200, { hostname: 'http://[::]:8080', version: '1.32.0', modules: {} });
  if (p === '/v1/objects' && req.method === 'POST') return json(res, 200, { ...parsed, id: parsed.id ?? '3f1c6a2e-0000-4000-8000-000000000002', creationTimeUnix: 1700000000000 });
  if (/^\/v1\/objects\/[^/]+\/[^/]+$/.test(p) && req.method === 'HEAD') return res.writeHead(204).end();
  // S3 (path style)
  if (req.method === 'PUT' && p.split('/').length >= 3) {
    res.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"' });
    return res.end();
  }
  json(res, 404, { error: `no fake for ${req.method} ${p}` });
}

export async function startFakeApis() {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => route(req, body, res));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  // HTTP/2 without TLS (h2c), for clients that speak only HTTP/2 (the Bedrock runtime client).
  const h2 = http2.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => route(req, body, res));
  });
  await new Promise((r) => h2.listen(0, '127.0.0.1', r));
  const smtp = net.createServer((socket) => {
    socket.write('220 fake ESMTP\r\n');
    let data = false;
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk;
      let at;
      while ((at = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (data) {
          if (line === '.') (data = false), socket.write('250 queued\r\n');
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-fake\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') (data = true), socket.write('354 go on\r\n');
        else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((r) => smtp.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    h2url: `http://127.0.0.1:${h2.address().port}`,
    smtpPort: smtp.address().port,
    stop: () => {
      server.close();
      server.closeAllConnections?.();
      h2.close();
      smtp.close();
    },
  };
}
