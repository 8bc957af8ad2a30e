// The OpenAI Agents SDK: an Agent run once, tracing off (it would call api.openai.com).
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled } from '@openai/agents';
import OpenAI from 'openai';
setTracingDisabled(true);
setDefaultOpenAIClient(new OpenAI({ apiKey: 'sk-test', baseURL: `${process.env.FAKE_API}/v1`, maxRetries: 0 }));
const agent = new Agent({ name: 'Greeter', instructions: 'Greet the user.', model: 'gpt-test' });
const result = await run(agent, 'Say hello');
console.log('agents', result.finalOutput);
