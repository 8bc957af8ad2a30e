// LlamaIndex.TS with its OpenAI LLM: one chat call.
import { OpenAI } from '@llamaindex/openai';
const llm = new OpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-test', baseURL: `${process.env.FAKE_API}/v1`, maxRetries: 0 });
const reply = await llm.chat({ messages: [{ role: 'user', content: 'Say hello' }] });
console.log('llamaindex', reply.message.content);
