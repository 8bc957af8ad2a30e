// Ollama's client: one chat call to a local Ollama.
import { Ollama } from 'ollama';
const ollama = new Ollama({ host: process.env.FAKE_API });
const reply = await ollama.chat({ model: 'llama-test', messages: [{ role: 'user', content: 'Say hello' }] });
console.log('ollama', reply.message.content);
