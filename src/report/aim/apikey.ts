import {
  addMcpServersRequest,
  agentPath,
  capabilityRequestRequest,
  detectionReportRequest,
  grantCapabilityRequest,
  readAgentView,
} from '../../protocol/index.js';
import { createNodeHttpTransport, TransportError, type HttpResult, type Transport } from './http.js';
import { checkBody, common, type Outcome, type Protocol, type SendOptions } from './outcome.js';
import { capabilityReason } from './reason.js';

/**
 * The API-key generation of AIM's protocol (docs/aim-protocol.md): header `X-API-Key`, routes
 * under `/api/v1/sdk-api/agents/{id}/...`. It builds each request, checks its body with the
 * shared schemas, sends it, and says what the answer means.
 */
export function createApiKeyProtocol(url: URL, apiKey: string, userAgent: string, transport?: Transport): Protocol {
  const http = transport ?? createNodeHttpTransport(url, apiKey, userAgent);

  async function send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    opts: SendOptions,
    classify: (r: HttpResult) => Outcome,
  ): Promise<Outcome> {
    let result: HttpResult;
    try {
      result = await http.request(method, path, body, opts);
    } catch (error) {
      const code = error instanceof TransportError ? error.code : 'ERROR';
      return { kind: 'retry', code, countsAsTry: false };
    }
    return classify(result);
  }


  return {
    getAgent(identifier, opts) {
      return send('GET', agentPath(identifier, 'agent'), undefined, opts, (r) => {
        if (r.status === 200) {
          const agent = readAgentView(r.body);
          return agent ? { kind: 'ok', agent } : { kind: 'retry', status: 200, code: 'UNREADABLE', countsAsTry: true };
        }
        // 400 (no identifier) and 404 (no such agent): the agent id is wrong; 403: another org.
        if (r.status === 404 || r.status === 400) return { kind: 'unknown-agent', status: r.status };
        return common(r);
      });
    },
    reportDetections(agentId, detections, opts) {
      const body = { detections };
      const invalid = checkBody(detectionReportRequest, body);
      if (invalid) return Promise.resolve(invalid);
      return send('POST', agentPath(agentId, 'detection'), body, opts, (r) => {
        if (r.status === 200 || r.status === 201) return { kind: 'ok' };
        if (r.status === 409) return { kind: 'duplicate' };
        return common(r);
      });
    },
    grantCapability(agentId, capability, opts) {
      const body = { capabilityType: capability.id, scope: capability.scope };
      const invalid = checkBody(grantCapabilityRequest, body);
      if (invalid) return Promise.resolve(invalid);
      return send('POST', agentPath(agentId, 'capabilities'), body, opts, (r) => {
        if (r.status === 200 || r.status === 201) return { kind: 'ok' };
        // 409, and AIM's 500 on a duplicate grant (unique constraint): the agent is known to
        // exist (we read it first), so this is "already granted". Upstream's SDK retried it forever.
        if (r.status === 409 || r.status === 500) return { kind: 'duplicate' };
        return common(r);
      });
    },
    addMcpServers(agentId, servers, opts) {
      const confidence = Math.min(...servers.map((s) => s.confidence));
      const body = {
        mcp_server_ids: servers.map((s) => s.name),
        detected_method: 'auto_sdk',
        confidence: Number.isFinite(confidence) ? confidence : 90,
        metadata: {
          source: 'aim-node',
          servers: servers.map((s) => ({ name: s.name, transport: s.transport, confidence: s.confidence })),
        },
      };
      const invalid = checkBody(addMcpServersRequest, body);
      if (invalid) return Promise.resolve(invalid);
      return send('POST', agentPath(agentId, 'mcp-servers'), body, opts, (r) => {
        if (r.status === 200 || r.status === 201) return { kind: 'ok' };
        if (r.status === 409) return { kind: 'duplicate' };
        return common(r);
      });
    },
    requestCapability(agentId, capability, opts) {
      const body = { capability_type: capability.id, reason: capabilityReason(capability) };
      const invalid = checkBody(capabilityRequestRequest, body);
      if (invalid) return Promise.resolve(invalid);
      return send('POST', agentPath(agentId, 'capability-requests'), body, opts, (r) => {
        if (r.status === 200 || r.status === 201) return { kind: 'ok', pending: true };
        // Already granted, or a request already pending.
        if (r.status === 409) return { kind: 'duplicate' };
        return common(r);
      });
    },
    close() {
      http.close();
    },
  };
}

