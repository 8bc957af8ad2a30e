/** The inventory's shapes: what `aim` knows about one process. Format `aim.inventory/v1`. */

import type { CapabilityId, DetectionMethod, RiskKind, RiskSeverity } from '../catalog/index.js';
import type { HookMode, McpTransport, ServerInfo } from '../observations/index.js';

export type { CapabilityId, DetectionMethod, HookMode, McpTransport, RiskKind, RiskSeverity };

/**
 * `used`: an API was called. `loaded`: a package able to do it was only imported. `probe`: only
 * metadata was looked at (stat, access, existsSync: a PATH lookup, a config search). `hint`: a
 * guess from the wire (a connection to a database's well-known port by code that is not a known
 * driver). Neither `probe` nor `hint` is ever reported to AIM as a capability to grant.
 */
export type Strength = 'used' | 'loaded' | 'probe' | 'hint';

/** Strongest first: a capability is as strong as its strongest evidence. */
export const strengthRank: Readonly<Record<Strength, number>> = { used: 3, loaded: 2, probe: 1, hint: 0 };

export interface Evidence {
  strength: Strength;
  /** What was seen: `fs.readFileSync`, `http.request GET api.openai.com`, `package openai`. */
  api: string;
  /** `app`, or the npm package whose code made the call (from the calling frame). */
  who: string;
  /** `file:line` in the application, where known. */
  location?: string;
  /** RFC 3339 with `Z`. */
  firstSeen: string;
  /** Extra facts from the catalog (provider, host, port). Never secrets. */
  details?: Record<string, string>;
  /** The worker thread (its threadId) that made the call; absent for the main thread. */
  worker?: number;
}

export interface Capability {
  id: CapabilityId;
  /** `used` as soon as one piece of evidence is `used`. */
  strength: Strength;
  /** 0 to 100. */
  confidence: number;
  evidence: Evidence[];
}

export interface McpServer {
  /** Stable identity: the launch command line or the URL (secrets redacted). */
  key: string;
  /** serverInfo.name after the handshake, else derived from the command or the URL. */
  name: string;
  transport: McpTransport;
  command?: string;
  args?: string[];
  cwd?: string;
  url?: string;
  serverInfo?: ServerInfo;
  protocolVersion?: string;
  clientLibrary?: { name: string; version?: string };
  detectionMethod: DetectionMethod;
  confidence: number;
  connectedAt?: string;
  failed?: boolean;
  tools?: string[];
  toolsCalled?: string[];
}

export interface PackageSeen {
  name: string;
  version?: string;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** argv with secrets redacted. */
  argv: string[];
  cwd: string;
  node: string;
  /** The entry script, when there is one. */
  entry?: string;
  /** npm, npx, pnpm, yarn, corepack, tsx's launcher: tooling, not the agent. */
  launcher?: string;
}

export interface AgentInfo {
  version: string;
  hookMode: HookMode;
  /** `full`, or why not: `partial:esm-unhooked`, `partial:bundled`, `partial:late`. */
  visibility: string;
  /** Milliseconds the preload took. */
  preloadMs: number;
  /** Internal errors caught (the agent goes inert after a few). */
  internalErrors: number;
  /** Capabilities AIM holds for an administrator's approval (signed generation, 202). */
  pendingApproval?: CapabilityId[];
}

/**
 * A file the process touched, as Node's permission model counts it: `read` (metadata probes
 * included), `write` (deletes included), `load` (the program's own modules and its packages'
 * directories, which Node reads to run it). Home as `~`; never contents.
 */
export interface PathEntry {
  path: string;
  access: 'read' | 'write' | 'load';
  /** `prefix`: the start of names Node completes (mkdtemp). */
  form?: 'prefix';
  /** The first call seen naming it (`fs.readFileSync`). */
  api?: string;
  who?: string;
}

/** A risk signal: what was touched, started or reached, and its kind; never a value. */
export interface RiskSignal {
  kind: RiskKind;
  severity: RiskSeverity;
  /** The path (home as `~`), the program's file name, or the host. */
  subject: string;
  /** What it is: `AWS credentials`, `shell start-up file`, `paste`, `network tool`. */
  label: string;
  api?: string;
  who: string;
  location?: string;
  firstSeen: string;
}

/** Node features its permission model gates on their own (`--allow-worker`, `--allow-addons`, `--allow-wasi`). */
export type RuntimeFeature = 'worker' | 'addon' | 'wasi';

export interface InventorySnapshot {
  schema: 'aim.inventory/v1';
  revision: number;
  process: ProcessInfo;
  agent: AgentInfo;
  capabilities: Capability[];
  mcpServers: McpServer[];
  packages: PackageSeen[];
  /** Files touched (bounded: see pathsTruncated). Absent when none were seen. */
  paths?: PathEntry[];
  /** True when more distinct paths were touched than the inventory keeps. */
  pathsTruncated?: boolean;
  /** Risk signals raised. Absent when none. */
  risks?: RiskSignal[];
  /** Worker threads started, native addons loaded, WASI loaded. Absent when none. */
  runtimeFeatures?: RuntimeFeature[];
  /** Risk flags from the policy layer (credential access, drift, ...); the AIM capability report reads them. */
  riskFlags?: RiskFlag[];
}

/**
 * A risk the policy layer found (its input to AIM's capability report: `credentialAccess` and
 * `riskAssessment.alerts`). Facts only, never a secret's value.
 */
export interface RiskFlag {
  /** Stable id, e.g. `credential-file`, `env-secret-read`. */
  id: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  /** The capability it concerns (`file:read`, `system:exec`, ...), or a free word. */
  capability: string;
  message: string;
  recommendation?: string;
  /** When the flag is about credentials: which kind, and a path (never its contents). */
  credential?: { kind: 'envVars' | 'configFiles' | 'keyring' | 'credentialFile'; path?: string };
}

/** Tool calls per MCP server and tool, counted without bumping the inventory's revision. */
export interface ToolUse {
  count: number;
  /** RFC 3339. */
  firstUsed: string;
  lastUsed: string;
}
