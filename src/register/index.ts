export { start } from './agent.js';
export { agentRecord, AGENT_KEY } from './record.js';
export type { AgentRecord, Activation } from './record.js';
export { version } from './version.js';
