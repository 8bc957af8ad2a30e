// The Vercel AI SDK with its OpenAI provider: generateText against an OpenAI-compatible endpoint.
import { generateText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
const openai = createOpenAI({ apiKey: 'sk-test', baseURL: `${process.env.FAKE_API}/v1` });
const { text } = await generateText({ model: openai.chat('gpt-test'), prompt: 'Say hello' });
console.log('ai', text);
