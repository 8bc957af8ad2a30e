/**
 * MCP discovery hooks (design section 5). Two layers:
 * - wire: a spawned child's stdio carrying a JSON-RPC `initialize`, and MCP's HTTP requests on
 *   the undici diagnostics channels. Any client, any Node version, no SDK hook, no loader thread.
 * - SDK: the MCP client modules only (`@modelcontextprotocol/sdk` client, `@modelcontextprotocol/client`,
 *   `@ai-sdk/mcp`), for the client library, its version, tool names and calls.
 * The config files (`.mcp.json`, Claude Desktop) are no hook: src/register/mcp-config-files.ts.
 *
 * `installMcpHooks` only subscribes and registers: no MCP module is loaded, nothing is read at
 * startup, and it never throws.
 */
import { whenBuiltinLoaded } from '../builtins.js';
import { internalError } from './emit.js';
import { subscribeHttp } from './http.js';
import { expectResolutions } from './client-modules.js';
import { patchChildProcess } from './stdio.js';

export { internalError } from './emit.js';
export { MCP_CLIENT_MODULES, mcpModuleRequired, mcpModuleResolved } from './client-modules.js';
export { httpKey, stdioKey } from './naming.js';

let installed = false;

export function installMcpHooks(): void {
  if (installed) return;
  installed = true;
  try {
    whenBuiltinLoaded('child_process', (childProcess: unknown) => {
      try {
        patchChildProcess(childProcess);
      } catch (error) {
        internalError(error);
      }
    });
  } catch (error) {
    internalError(error);
  }
  try {
    subscribeHttp();
  } catch (error) {
    internalError(error);
  }
  try {
    expectResolutions();
  } catch (error) {
    internalError(error);
  }
}
