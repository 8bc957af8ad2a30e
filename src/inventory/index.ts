export { Inventory } from './inventory.js';
export type { ChangeListener } from './inventory.js';
export type * from './types.js';
export { mergeSnapshots } from './merge.js';
export type { MergedInventory, MergedProcess } from './merge.js';
export { mergeServer } from './servers.js';
export { displayPath, absolutePath, MAX_PATHS } from './paths.js';
