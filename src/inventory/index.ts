export { Inventory } from './inventory.js';
export type { ChangeListener } from './inventory.js';
export type * from './types.js';
