export { log, warn, debug } from './log.js';
export type { LogLevel } from './log.js';
