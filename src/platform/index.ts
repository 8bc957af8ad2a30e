export { log, warn, debug } from './log.js';
export type { LogLevel } from './log.js';
export { featuresOf, parseVersion } from './features.js';
export type { Feature, Features, Version } from './features.js';
export { packageVersion } from './package-version.js';
export { OWN_USER_AGENT_PREFIX } from './identity.js';
export { writePrivateFile } from './private-file.js';
export { isQuiet, quietly } from './quiet.js';
export { importModule } from './import-module.js';
