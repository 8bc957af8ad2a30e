// Mastra: an Agent on an OpenAI-compatible model (the AI SDK provider), generate() once.
import { Agent } from '@mastra/core/agent';
import { createOpenAI } from '@ai-sdk/openai';
const openai = createOpenAI({ apiKey: 'sk-test', baseURL: `${process.env.FAKE_API}/v1` });
const agent = new Agent({ name: 'greeter', instructions: 'Greet the user.', model: openai.chat('gpt-test') });
const result = await agent.generate('Say hello');
console.log('mastra', result.text);
