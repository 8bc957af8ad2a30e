export { infer, useMcpInference } from './infer.js';
