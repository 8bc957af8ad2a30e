/**
 * The door of the MCP layer's bundle (dist/mcp.cjs): compiled only when MCP shows up (a client
 * library, JSON on a child's stdin, MCP's HTTP headers, a config file declaring servers). The agent
 * loads it with require(); nothing of the startup bundle imports it.
 */
export { activateMcpLayer } from '../hooks/mcp/layer.js';
export { serversInConfig } from './mcp-config-parse.js';
