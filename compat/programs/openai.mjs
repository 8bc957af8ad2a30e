// The openai SDK (its `$Completions` broke import-in-the-middle: newrelic/node-newrelic#1920) talking
// to a local fake of the chat completions API.
import http from 'node:http';
import OpenAI from 'openai';
import * as everything from 'openai';

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const { model, messages } = JSON.parse(body);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      id: 'chatcmpl-1', object: 'chat.completion', created: 0, model,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `echo: ${messages[0].content}` } }],
    }));
  });
});
server.listen(0, '127.0.0.1', async () => {
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${server.address().port}/v1`, maxRetries: 0 });
  const reply = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
  console.log(reply.choices[0].message.content, typeof everything.OpenAI);
  server.close();
});
