export { builtinRows, possibleCapabilities, capabilityOfCall } from './builtins.js';
export type { BuiltinRow } from './builtins.js';
export { packageRows, packageRow } from './packages.js';
export type { PackageRow } from './packages.js';
export { llmHosts, llmPaths, llmProvider, databasePorts, databaseCapabilities, confidence } from './wire.js';
export { launchers, launcherOf } from './launchers.js';
export { capabilityIds } from './ids.js';
export type { CapabilityId } from './ids.js';
