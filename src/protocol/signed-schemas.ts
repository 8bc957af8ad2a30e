import * as z from 'zod/mini';
import { jsonObject, RFC3339 } from './schemas.js';

/**
 * The bodies of the current AIM's agent-signed routes beyond registration (docs/aim-protocol.md,
 * "MCP servers, tool usage, liveness, capability report"), as upstream's handlers read them:
 * `handlers/mcp_handler.go` CreateMCPServer, `mcp_attestation_handler.go` RecordMCPConnection and
 * RecordMCPUsageReport, `lifecycle_handler.go` Heartbeat, `detection_handler.go`
 * ReportCapabilities with `domain.AgentCapabilityReport`.
 */
const uuidText = z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID'));
const time = z.string().check(z.regex(RFC3339, 'must be RFC 3339 with a time zone'));
const int = z.number().check(z.int());

/** `POST .../mcp-servers` (signed): a server record; `url` is its stable identity (see mcp-identity in the reporter). */
export const createMcpServerRequest = z.object({
  name: z.string().check(z.minLength(1, 'name is required'), z.maxLength(255)),
  url: z.string().check(z.minLength(1, 'url is required'), z.maxLength(2048)),
  description: z.optional(z.string().check(z.maxLength(1000))),
  version: z.optional(z.string().check(z.maxLength(100))),
  title: z.optional(z.string().check(z.maxLength(255))),
  websiteUrl: z.optional(z.string().check(z.maxLength(2048))),
  transport: z.optional(z.string()),
  metadata: z.optional(jsonObject),
});

/** `POST .../mcp-connections`: both spellings, since AIM moved from snake_case to camelCase. */
export const mcpConnectionRequest = z.object({
  mcpServerId: uuidText,
  toolName: z.string().check(z.minLength(1, 'toolName is required'), z.maxLength(255)),
  mcpUrl: z.optional(z.string()),
  mcpName: z.optional(z.string()),
  connectionType: z.optional(z.string()),
});

const toolUse = z.object({ count: int.check(z.minimum(0)), firstUsed: time, lastUsed: time });

/** `POST .../mcp-usage-report`: counts per server record id and tool. */
export const mcpUsageReportRequest = z.object({
  agentId: uuidText,
  reportedAt: time,
  mcpServers: z.record(
    uuidText,
    z.object({
      toolUsage: z.record(z.string(), toolUse),
      capabilitiesAttested: z.optional(z.array(z.string())),
      confidenceScore: z.optional(z.number().check(z.minimum(0), z.maximum(100))),
      firstSeenAt: z.optional(time),
    }),
  ),
});

const section = <T extends Record<string, z.ZodMiniType>>(fields: T) => z.optional(z.object({ ...fields, detectionMethod: z.string() }));
const flag = z.optional(z.boolean());
const names = z.optional(z.array(z.string()));

/** AIM stores `riskLevel` under a CHECK constraint: lowercase only (anything else is a 500). */
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;

/** `POST /api/v1/detection/agents/{id}/capabilities/report` (`domain.AgentCapabilityReport`). */
export const capabilityReportRequest = z.object({
  detectedAt: time,
  environment: z.object({
    language: z.string(),
    version: z.string(),
    runtime: z.string(),
    platform: z.string(),
    arch: z.string(),
    frameworks: names,
    packageManagers: names,
  }),
  aiModels: z.array(z.object({ provider: z.string(), models: z.array(z.string()), detectionType: z.string() })),
  capabilities: z.object({
    fileSystem: section({ read: flag, write: flag, delete: flag, execute: flag, pathsAccessed: names }),
    database: section({ postgresql: flag, mongodb: flag, mysql: flag, sqlite: flag, redis: flag, operations: names }),
    network: section({ http: flag, https: flag, websocket: flag, tcp: flag, udp: flag, externalApis: names }),
    codeExecution: section({ eval: flag, exec: flag, shellCommands: flag, childProcesses: flag, vmExecution: flag }),
    credentialAccess: section({ envVars: flag, configFiles: flag, keyring: flag, credentialFiles: names }),
    browserAutomation: section({ puppeteer: flag, playwright: flag, selenium: flag }),
  }),
  riskAssessment: z.object({
    // Integers: Go decodes them into int, and a fraction fails the whole body (400).
    overallRiskScore: int.check(z.minimum(0), z.maximum(100)),
    riskLevel: z.enum(RISK_LEVELS),
    trustScoreImpact: int,
    alerts: z.array(
      z.object({
        // Upstream files HIGH and CRITICAL alerts as security alerts, compared in capitals.
        severity: z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
        capability: z.string(),
        message: z.string(),
        recommendation: z.string(),
        trustScoreImpact: int,
      }),
    ),
  }),
});

export type CreateMcpServerRequest = z.infer<typeof createMcpServerRequest>;
export type McpConnectionRequest = z.infer<typeof mcpConnectionRequest>;
export type McpUsageReportRequest = z.infer<typeof mcpUsageReportRequest>;
export type CapabilityReportRequest = z.infer<typeof capabilityReportRequest>;
export type RiskLevel = (typeof RISK_LEVELS)[number];
