// Bedrock runtime: the Converse API, credentials and region given, a VPC-style endpoint.
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: process.env.FAKE_H2_API, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'secret' } });
const out = await client.send(new ConverseCommand({ modelId: 'anthropic.test', messages: [{ role: 'user', content: [{ text: 'Say hello' }] }] }));
console.log('bedrock', out.output.message.content[0].text);
