export { infer } from './infer.js';
