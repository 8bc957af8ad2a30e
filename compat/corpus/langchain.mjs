// LangChain's ChatOpenAI: invoke() one message.
import { ChatOpenAI } from '@langchain/openai';
const model = new ChatOpenAI({ model: 'gpt-test', apiKey: 'sk-test', configuration: { baseURL: `${process.env.FAKE_API}/v1` }, maxRetries: 0 });
const reply = await model.invoke('Say hello');
console.log('langchain', reply.content);
