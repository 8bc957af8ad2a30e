/**
 * What each kind of MCP evidence means: the detection method AIM is told and the confidence,
 * 0 to 100 (the README documents these numbers). Hooks only say what they saw (an evidence kind,
 * src/observations/types.ts); inference reads this table.
 */

/** AIM's detection methods, from the weakest to the strongest. */
export type DetectionMethod = 'sdk_import' | 'claude_config' | 'sdk_runtime';

/** Which detection method outranks which when two sightings of one server meet. */
export const detectionRank: Readonly<Record<DetectionMethod, number>> = { sdk_import: 0, claude_config: 1, sdk_runtime: 2 };

export const mcpEvidence = {
  /** A client library was only loaded. */
  'sdk-import': { detectionMethod: 'sdk_import', confidence: 30 },
  /** Declared in a config file (the confidence by file is in mcpConfigFileConfidence). */
  'config-file': { detectionMethod: 'claude_config', confidence: 30 },
  /** The handshake was sent (initialize) or a request was seen. */
  attempted: { detectionMethod: 'sdk_runtime', confidence: 70 },
  /** The handshake failed or the server went away during it. */
  failed: { detectionMethod: 'sdk_runtime', confidence: 70 },
  /** MCP headers on an HTTP exchange (session id, protocol version). */
  'http-headers': { detectionMethod: 'sdk_runtime', confidence: 90 },
  /** The server answered initialize (serverInfo seen on the wire). */
  handshake: { detectionMethod: 'sdk_runtime', confidence: 95 },
  /** The client library reported a completed connect(). */
  'sdk-connected': { detectionMethod: 'sdk_runtime', confidence: 100 },
} as const satisfies Record<string, { detectionMethod: DetectionMethod; confidence: number }>;

/** `.mcp.json` beside the app says more about this program than Claude Desktop's config. */
export const mcpConfigFileConfidence = { project: 30, 'claude-desktop': 20 } as const;

/** Confidence of `mcp:tool_use` / `mcp:resource_read` from requests actually sent. */
export const mcpCallConfidence = 95;
