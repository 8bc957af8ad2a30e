import { createPublicKey, generateKeyPairSync, randomUUID, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An independent stand-in for the current AIM's agent routes, written from upstream's handlers
 * (apps/backend/internal/interfaces/http: middleware/pqc_agent_auth.go, handlers/mcp_handler.go
 * CreateMCPServer, mcp_attestation_handler.go RecordMCPConnection, lifecycle_handler.go
 * Heartbeat, detection_handler.go ReportCapabilities with domain.AgentCapabilityReport, and the
 * usage report's shape in the protocol reference), not from aim's own schemas: its checks are
 * Go's (`encoding/json` into typed structs: unknown keys ignored, a fraction in an int field is a
 * 400) and the handlers' own `if` statements. It verifies Ed25519 signatures with its own code.
 *
 * Post-quantum (pqc_agent_auth.go, crypto/pqc/algorithms.go, handlers/agent_pqc_handler.go):
 * X-Algorithm `Ed25519` (or none), `ML-DSA-44/65/87`, `Ed25519+ML-DSA-44/65/87`, with upstream's
 * refusal words. CreateAgent reads no ML-DSA key (its request has no such field): the key is
 * registered by a member, `POST /api/v1/agents/:id/pqc-key` `{publicKey, algorithm, enableHybrid}`
 * with a user JWT (here `Bearer <memberToken>`). Upstream's quirk is kept: verifyHybridSignature
 * asks the key size of the hybrid name itself (GetExpectedPublicKeySize knows only the pure
 * names), so every hybrid request whose Ed25519 half verifies is refused with
 * "unsupported ML-DSA algorithm in hybrid mode: Ed25519+ML-DSA-xx". ML-DSA is verified with
 * node:crypto where the Node running the stand-in has it (`canVerifyMlDsa`).
 */
export interface StandIn {
  url: string;
  /** `algorithm`: the request's X-Algorithm (none: Ed25519); `answer`: what the stand-in said. */
  requests: { method: string; path: string; status: number; body: unknown; algorithm: string; answer: unknown }[];
  servers: Map<string, { id: string; name: string; url: string }>;
  usage: Map<string, number>;
  reports: unknown[];
  agents: Map<string, StandInAgent>;
  /** The user JWT `POST /api/v1/agents/:id/pqc-key` takes. */
  memberToken: string;
  canVerifyMlDsa: boolean;
  close(): Promise<void>;
}

interface StandInAgent {
  name: string;
  publicKey: string;
  pqcPublicKey?: string;
  pqcKeyAlgorithm?: string;
  hybridModeEnabled: boolean;
}

/** pqc.Algorithm values and GetExpectedPublicKeySize (pure names only, as upstream). */
const PQC_ALGORITHMS = ['Ed25519', 'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87', 'Ed25519+ML-DSA-44', 'Ed25519+ML-DSA-65', 'Ed25519+ML-DSA-87'];
const KEY_SIZE: Record<string, number> = { Ed25519: 32, 'ML-DSA-44': 1312, 'ML-DSA-65': 1952, 'ML-DSA-87': 2592 };
const OID_LAST: Record<string, number> = { 'ML-DSA-44': 0x11, 'ML-DSA-65': 0x12, 'ML-DSA-87': 0x13 };

/** circl's Verify(pk, msg, nil, sig), here with node:crypto: the raw key in a SubjectPublicKeyInfo. */
function verifyMlDsa(alg: string, raw: Buffer, message: Buffer, signature: Buffer): boolean {
  let key: KeyObject;
  try {
    const bitString = Buffer.concat([Buffer.from([0x03, 0x82, (raw.length + 1) >> 8, (raw.length + 1) & 0xff, 0x00]), raw]);
    const algorithmId = Buffer.from([0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, OID_LAST[alg]!]);
    const length = algorithmId.length + bitString.length;
    key = createPublicKey({ key: Buffer.concat([Buffer.from([0x30, 0x82, length >> 8, length & 0xff]), algorithmId, bitString]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

function nodeHasMlDsa(): boolean {
  try {
    generateKeyPairSync('ml-dsa-44' as 'ed25519');
    return true;
  } catch {
    return false;
  }
}

export async function startStandIn(apiKey: string, memberToken = `member-${randomUUID()}`): Promise<StandIn> {
  const agents = new Map<string, StandInAgent>();
  const servers = new Map<string, { id: string; name: string; url: string }>();
  const usage = new Map<string, number>();
  const reports: unknown[] = [];
  const requests: StandIn['requests'] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const [status, answer] = route(req, raw, body);
      requests.push({ method: req.method ?? '', path: req.url ?? '', status, body, algorithm: String(req.headers['x-algorithm'] || 'Ed25519'), answer });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });

  function route(req: IncomingMessage, raw: string, body: any): [number, unknown] {
    const url = new URL(req.url ?? '/', 'http://standin');
    if (req.method === 'POST' && url.pathname === '/api/v1/agents') {
      if (req.headers['x-api-key'] !== apiKey) return [401, { error: 'Invalid API key' }];
      const id = randomUUID();
      // CreateAgentRequest has no ML-DSA field: pqcPublicKey in the body is ignored.
      agents.set(id, { name: body.name, publicKey: body.publicKey ?? body.public_key, hybridModeEnabled: false });
      return [201, { id, name: body.name, status: 'pending', capabilities: body.capabilities ?? [], talksTo: [] }];
    }
    const pqcKeyRoute = /^\/api\/v1\/agents\/([^/]+)\/pqc-key$/.exec(url.pathname);
    if (req.method === 'POST' && pqcKeyRoute) return registerPqcKey(req, pqcKeyRoute[1]!, body);
    const refusal = pqcAgentMiddleware(req, raw);
    if (refusal) return refusal;
    const agentId = String(req.headers['x-agent-id']);
    const agent = agents.get(agentId)!;
    const m = /^\/api\/v1\/(sdk-api|detection)\/agents\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    if (!m || m[2] !== agentId) return [404, { error: 'not found' }];
    const [, group, , rest = ''] = m;
    if (group === 'detection') return rest === 'capabilities/report' && req.method === 'POST' ? capabilityReport(body) : [404, {}];
    if (req.method === 'GET' && rest === '') return [200, { id: agentId, name: agent.name, status: 'verified', capabilities: [], talks_to: [] }];
    if (req.method === 'GET' && rest === 'mcp-servers/by-name') {
      const found = [...servers.values()].find((s) => s.name === url.searchParams.get('name'));
      return found ? [200, found] : [404, { error: 'MCP server not found' }];
    }
    if (req.method !== 'POST') return [404, {}];
    switch (rest) {
      case 'detection/report':
        return [200, { success: true, detectionsProcessed: body?.detections?.length ?? 0 }];
      case 'capabilities/register':
        return [201, { success: true, capabilityType: body?.capabilityType, status: 'granted' }];
      case 'mcp-servers': {
        // mcpService.CreateMCPServer: a duplicate URL is "mcp server with this URL already exists", 409, no id.
        if (typeof body?.name !== 'string' || typeof body?.url !== 'string') return [400, { error: 'Invalid request body' }];
        if ([...servers.values()].some((s) => s.url === body.url)) return [409, { error: 'mcp server with this URL already exists' }];
        const record = { id: randomUUID(), name: body.name, url: body.url };
        servers.set(record.id, record);
        return [201, record];
      }
      case 'mcp-connections': {
        // RecordConnectionRequest with json:"mcp_server_id" / json:"tool_name".
        if (!body?.mcp_server_id) return [400, { error: 'mcp_server_id is required' }];
        if (!body?.tool_name) return [400, { error: 'tool_name is required' }];
        if (!servers.has(body.mcp_server_id)) return [500, { error: 'Failed to record MCP connection' }];
        return [200, { success: true, connection_id: randomUUID(), mcp_server_id: body.mcp_server_id, message: 'MCP connection recorded successfully' }];
      }
      case 'mcp-usage-report': {
        let invocations = 0;
        for (const [id, s] of Object.entries<any>(body?.mcpServers ?? {})) {
          if (!/^[0-9a-f-]{36}$/.test(id)) continue; // keys that are not UUIDs are skipped
          for (const [tool, u] of Object.entries<any>(s.toolUsage ?? {})) {
            if (!Number.isInteger(u.count)) return [400, { error: 'Invalid request body' }];
            usage.set(`${id}|${tool}`, (usage.get(`${id}|${tool}`) ?? 0) + u.count);
            invocations += u.count;
          }
        }
        return [200, { success: true, serversReported: Object.keys(body?.mcpServers ?? {}).length, totalInvocations: invocations }];
      }
      case 'heartbeat':
        return [200, { agentId, status: 'verified', lastHeartbeat: new Date().toISOString(), trustScore: 0.5 }];
      default:
        return [404, {}];
    }
  }

  /** PQCAgentMiddleware: undefined when the request may go on. */
  function pqcAgentMiddleware(req: IncomingMessage, raw: string): [number, unknown] | undefined {
    const get = (name: string): string => String(req.headers[name.toLowerCase()] ?? '');
    // An Authorization header goes to the JWT middleware; this stand-in has no JWTs for sdk-api.
    if (get('Authorization')) return [401, { error: 'Invalid or expired token' }];
    const agentIdStr = get('X-Agent-ID');
    const timestampStr = get('X-Timestamp');
    if (!agentIdStr || !timestampStr) return [401, { error: 'No authentication token provided' }];
    const alg = get('X-Algorithm') || 'Ed25519';
    if (!PQC_ALGORITHMS.includes(alg)) return [400, { error: `Unsupported algorithm: ${alg}` }];
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(agentIdStr)) return [401, { error: 'Invalid agent ID format' }];
    if (!/^-?\d+$/.test(timestampStr)) return [401, { error: 'Invalid timestamp format' }];
    const now = Math.floor(Date.now() / 1000);
    const timestamp = Number(timestampStr);
    if (timestamp < now - 30 || timestamp > now + 30) return [401, { error: 'Request timestamp expired or invalid' }];
    const agent = agents.get(agentIdStr);
    if (!agent) return [401, { error: 'Agent not found' }];
    const hybrid = alg.startsWith('Ed25519+');
    if (hybrid && !agent.hybridModeEnabled && !agent.pqcPublicKey) return [401, { error: 'Agent does not have PQC key registered for hybrid mode' }];
    const parts = [req.method!.toUpperCase(), req.url!, timestampStr];
    if (raw.length > 0) parts.push(raw);
    const message = Buffer.from(parts.join('\n'));
    const b64 = (text: string) => Buffer.from(text, 'base64');
    const fail = (error: string): [number, unknown] => [401, { error }];

    const ed25519Ok = (publicKey: string, signature: string): boolean => {
      try {
        const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), b64(publicKey)]), format: 'der', type: 'spki' });
        return verify(null, message, key, b64(signature));
      } catch {
        return false;
      }
    };

    if (hybrid) {
      const edSig = get('X-Signature-Ed25519') || get('X-Signature');
      const mlSig = get('X-Signature-MLDSA');
      if (!edSig) return fail('missing Ed25519 signature for hybrid mode');
      if (!mlSig) return fail('missing ML-DSA signature for hybrid mode');
      if (!agent.publicKey) return fail('agent has no registered Ed25519 public key for hybrid mode');
      if (!agent.pqcPublicKey) return fail('agent has no registered ML-DSA public key for hybrid mode');
      if (get('X-Public-Key') && get('X-Public-Key') !== agent.publicKey) return fail('provided Ed25519 public key does not match registered key');
      if (get('X-PQC-Public-Key') && get('X-PQC-Public-Key') !== agent.pqcPublicKey) return fail('provided ML-DSA public key does not match registered key');
      if (b64(agent.publicKey).length !== 32) return fail('invalid Ed25519 public key size');
      if (!ed25519Ok(agent.publicKey, edSig)) return fail('invalid Ed25519 signature in hybrid mode');
      // GetExpectedPublicKeySize(alg) with the hybrid name: upstream's middleware stops here.
      const size = KEY_SIZE[alg];
      if (size === undefined) return fail(`unsupported ML-DSA algorithm in hybrid mode: ${alg}`);
      return undefined;
    }
    if (alg !== 'Ed25519') {
      const signature = get('X-Signature') || get('X-Signature-MLDSA');
      if (!signature) return fail('missing ML-DSA signature');
      if (!agent.pqcPublicKey) return fail('agent has no registered ML-DSA public key');
      if (get('X-PQC-Public-Key') && get('X-PQC-Public-Key') !== agent.pqcPublicKey) return fail('provided ML-DSA public key does not match registered key');
      const key = b64(agent.pqcPublicKey);
      if (key.length !== KEY_SIZE[alg]) return fail(`invalid ML-DSA public key size: expected ${KEY_SIZE[alg]}, got ${key.length}`);
      if (!verifyMlDsa(alg, key, message, b64(signature))) return fail('invalid ML-DSA signature: ML-DSA signature verification failed');
      return undefined;
    }
    const signature = get('X-Signature');
    const publicKey = get('X-Public-Key');
    if (!signature || !publicKey) return fail('missing Ed25519 signature or public key');
    if (!agent.publicKey) return fail('agent has no registered Ed25519 public key');
    if (publicKey !== agent.publicKey) return fail('provided Ed25519 public key does not match registered key');
    if (b64(agent.publicKey).length !== 32) return fail('invalid Ed25519 public key size');
    if (!ed25519Ok(agent.publicKey, signature)) return fail('invalid Ed25519 signature');
    return undefined;
  }

  /** AgentHandler.RegisterPQCKey, behind MemberMiddleware (a user JWT; no API key, no agent signature). */
  function registerPqcKey(req: IncomingMessage, id: string, body: any): [number, unknown] {
    if (req.headers.authorization !== `Bearer ${memberToken}`) return [401, { error: 'Unauthorized' }];
    const alg = String(body?.algorithm ?? '');
    if (!PQC_ALGORITHMS.includes(alg) || alg === 'Ed25519') {
      return [400, { error: 'Invalid PQC algorithm', supportedValues: ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'], recommendedValue: 'ML-DSA-65' }];
    }
    const pure = alg.replace('Ed25519+', '');
    const size = Buffer.from(String(body?.publicKey ?? ''), 'base64').length;
    if (size !== KEY_SIZE[pure]) return [400, { error: 'Invalid public key size', expectedSize: KEY_SIZE[pure], actualSize: size }];
    const agent = agents.get(id);
    if (!agent) return [404, { error: 'Agent not found' }];
    if (agent.pqcPublicKey) return [409, { error: 'Agent already has a PQC key registered', hint: 'Use PUT /agents/{id}/pqc-key to rotate the existing key' }];
    const before = agent.hybridModeEnabled;
    Object.assign(agent, { pqcPublicKey: body.publicKey, pqcKeyAlgorithm: pure, hybridModeEnabled: body.enableHybrid === true });
    // The answer shows hybridModeEnabled as it was before the update (the handler reads the agent first).
    return [200, { agentId: id, pqcKeyAlgorithm: pure, hybridModeEnabled: before, pqcKeyCreatedAt: new Date().toISOString(), message: 'PQC key registered successfully' }];
  }

  /** ReportCapabilities: detectedAt required; ints are ints; risk_level CHECK (lowercase) and 0..100 fail at the INSERT (500). */
  function capabilityReport(body: any): [number, unknown] {
    const r = body?.riskAssessment ?? {};
    const ints = [r.overallRiskScore, r.trustScoreImpact, ...(r.alerts ?? []).map((a: any) => a.trustScoreImpact)];
    if (ints.some((v) => v !== undefined && !Number.isInteger(v))) return [400, { error: 'Invalid request body' }];
    if (!body?.detectedAt) return [400, { error: 'detectedAt is required' }];
    if (Number.isNaN(Date.parse(body.detectedAt))) return [500, { error: 'failed to store capability report: invalid timestamptz' }];
    if (!['low', 'medium', 'high', 'critical'].includes(r.riskLevel)) return [500, { error: 'failed to store capability report: check constraint' }];
    if (!(r.overallRiskScore >= 0 && r.overallRiskScore <= 100)) return [500, { error: 'failed to store capability report: check constraint' }];
    reports.push(body);
    return [200, { success: true, riskLevel: r.riskLevel, trustScoreImpact: r.trustScoreImpact, newTrustScore: 0.5, securityAlertsCount: 0 }];
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    servers,
    usage,
    reports,
    agents,
    memberToken,
    canVerifyMlDsa: nodeHasMlDsa(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
