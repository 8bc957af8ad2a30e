import { createPublicKey, randomUUID, verify } from 'node:crypto';
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
 */
export interface StandIn {
  url: string;
  requests: { method: string; path: string; status: number; body: unknown }[];
  servers: Map<string, { id: string; name: string; url: string }>;
  usage: Map<string, number>;
  reports: unknown[];
  close(): Promise<void>;
}

export async function startStandIn(apiKey: string): Promise<StandIn> {
  const agents = new Map<string, { name: string; publicKey: string }>();
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
      requests.push({ method: req.method ?? '', path: req.url ?? '', status, body });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });

  function route(req: IncomingMessage, raw: string, body: any): [number, unknown] {
    const url = new URL(req.url ?? '/', 'http://standin');
    if (req.method === 'POST' && url.pathname === '/api/v1/agents') {
      if (req.headers['x-api-key'] !== apiKey) return [401, { error: 'Invalid API key' }];
      const id = randomUUID();
      agents.set(id, { name: body.name, publicKey: body.publicKey ?? body.public_key });
      return [201, { id, name: body.name, status: 'pending', capabilities: body.capabilities ?? [], talksTo: [] }];
    }
    // PQCAgentMiddleware, Ed25519 only: X-Agent-ID, X-Timestamp within 30 s, X-Public-Key equal to the registered one.
    const agentId = String(req.headers['x-agent-id'] ?? '');
    const agent = agents.get(agentId);
    if (!agent) return [401, { error: 'Agent not found' }];
    const ts = Number(req.headers['x-timestamp']);
    if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > 30) return [401, { error: 'Request timestamp expired or invalid' }];
    if (req.headers['x-public-key'] !== agent.publicKey) return [401, { error: 'provided Ed25519 public key does not match registered key' }];
    const message = [req.method!.toUpperCase(), req.url!, String(req.headers['x-timestamp'])];
    if (raw.length) message.push(raw);
    const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(agent.publicKey, 'base64')]), format: 'der', type: 'spki' });
    if (!verify(null, Buffer.from(message.join('\n')), key, Buffer.from(String(req.headers['x-signature'] ?? ''), 'base64'))) {
      return [401, { error: 'invalid Ed25519 signature' }];
    }
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
