export type * from './types.js';
export { setObserver, observe } from './bus.js';
