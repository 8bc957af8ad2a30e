/**
 * The first line of dist/agent.cjs (tsup.config.ts adds it, and `\n})` at the end): the file is
 * the function that register's loadAgent compiles and calls, with these arguments in this order.
 */
export const AGENT_WRAPPER_START = '(function (exports, require, module, __filename, __dirname, __aimImport) {';
