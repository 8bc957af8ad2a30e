import { randomUUID } from 'node:crypto';

/**
 * What the local collector knows: agents (in organisations), their capabilities, `talks_to`, and
 * detections, with AIM's semantics (docs/aim-protocol.md).
 */
export interface SeedAgent {
  id: string;
  name: string;
  /** Organisation; agents default to `default`. */
  org?: string;
  /** Capability types already granted; `!type` means granted then revoked by an administrator. */
  capabilities?: string[];
  /** Signed generation: a registered public key (std base64). */
  publicKey?: string;
}

export interface SeedKey {
  key: string;
  /** The organisation the key belongs to (default `default`). */
  org?: string;
  /** A label for logs and records, never the key itself. */
  label?: string;
}

export interface AgentCapability {
  id: string;
  agentId: string;
  capabilityType: string;
  capabilityScope: Record<string, unknown>;
  grantedAt: string;
  revokedAt?: string;
  createdAt: string;
  updatedAt: string;
}

export interface AgentState {
  id: string;
  name: string;
  org: string;
  createdAt: string;
  talksTo: string[];
  capabilities: AgentCapability[];
  /** Last significant detection per `mcpServer|detectionMethod`, epoch ms. */
  significant: Map<string, number>;
  capabilityRequests: { type: string; status: string }[];
  /** Signed generation: the registered Ed25519 public key (std base64) and the agent's status. */
  publicKey?: string;
  /** The ML-DSA key registered with the agent (`pqcPublicKey`, `pqcKeyAlgorithm`), where this Node can verify it. */
  pqcPublicKey?: string;
  pqcKeyAlgorithm?: string;
  hybridModeEnabled?: boolean;
  status?: string;
  /** Signed generation: liveness, and the detection group's capability reports (latest last). */
  lastHeartbeat?: string;
  heartbeats: number;
  capabilityReports: Record<string, unknown>[];
}

/** An MCP server record (signed generation), per organisation, with who used which tool how often. */
export interface McpServerRecord {
  id: string;
  org: string;
  name: string;
  /** The server's stable identity: its URL, `stdio:` command, or `mcp:` registry name. Unique per org. */
  url: string;
  title?: string;
  version?: string;
  description?: string;
  websiteUrl?: string;
  createdBy: string;
  createdAt: string;
  /** agent id -> tools it connected to. */
  connections: Map<string, Set<string>>;
  /** `agentId|tool` -> usage summed over reports. */
  usage: Map<string, { count: number; firstUsed: string; lastUsed: string }>;
}

/** The built-in demo agent and key: `aim collector` and `npm run demo` work with no setup. */
export const DEMO_AGENT: SeedAgent = { id: '4b0d9c3e-6a51-4f0e-9c1d-aa5e0c0de001', name: 'demo-agent' };
export const DEMO_KEY = 'aim_live_ZGVtby1rZXktZm9yLXRoZS1sb2NhbC1jb2xsZWN0b3I=';

export class CollectorState {
  readonly agents = new Map<string, AgentState>();
  readonly mcpServers = new Map<string, McpServerRecord>();

  constructor(agents: SeedAgent[]) {
    for (const a of agents) this.addAgent(a);
  }

  addAgent(seed: SeedAgent): AgentState {
    const now = new Date().toISOString();
    const agent: AgentState = {
      id: seed.id.toLowerCase(),
      name: seed.name,
      org: seed.org ?? 'default',
      createdAt: now,
      talksTo: [],
      capabilities: [],
      significant: new Map(),
      capabilityRequests: [],
      heartbeats: 0,
      capabilityReports: [],
    };
    if (seed.publicKey) agent.publicKey = seed.publicKey;
    this.agents.set(agent.id, agent);
    for (const c of seed.capabilities ?? []) {
      const revoked = c.startsWith('!');
      const cap = this.grant(agent, revoked ? c.slice(1) : c, { source: 'seed' });
      if (revoked) cap.revokedAt = now;
    }
    return agent;
  }

  byName(org: string, name: string): AgentState | undefined {
    for (const a of this.agents.values()) if (a.org === org && a.name === name) return a;
    return undefined;
  }

  grant(agent: AgentState, type: string, scope: Record<string, unknown>): AgentCapability {
    const now = new Date().toISOString();
    const cap: AgentCapability = {
      id: randomUUID(),
      agentId: agent.id,
      capabilityType: type,
      capabilityScope: scope,
      grantedAt: now,
      createdAt: now,
      updatedAt: now,
    };
    agent.capabilities.push(cap);
    return cap;
  }

  revoke(agentId: string, type: string): boolean {
    const agent = this.agents.get(agentId.toLowerCase());
    const cap = agent?.capabilities.find((c) => c.capabilityType === type);
    if (!cap) return false;
    cap.revokedAt = cap.updatedAt = new Date().toISOString();
    return true;
  }
}
