/** The local AIM-compatible collector: `aim collector`, `npm run demo`, and the tests' server. */
export { startCollector } from './server.js';
export type { Collector, CollectorOptions, Fault, Received, RouteName } from './server.js';
export { DEMO_AGENT, DEMO_KEY, CollectorState } from './state.js';
export type { SeedAgent, SeedKey, AgentCapability } from './state.js';
export { isControlToken, newControlToken } from './control.js';
