export { loadConfig } from './config.js';
export type { LoadedConfig } from './config.js';
export { settings } from './schema.js';
export type { Config, Setting } from './schema.js';
export { aliasOf, checkVariables, startupChecks, variableNames } from './names.js';
export { configurationTable } from './table.js';
