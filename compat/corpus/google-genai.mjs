// Google GenAI: generateContent with a base URL (a gateway).
import { GoogleGenAI } from '@google/genai';
const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: process.env.FAKE_API } });
const response = await ai.models.generateContent({ model: 'gemini-test', contents: 'Say hello' });
console.log('genai', response.text);
