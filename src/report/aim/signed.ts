import {
  agentPath,
  capabilityReportPath,
  capabilityReportRequest,
  capabilityRequestRequest,
  createMcpServerRequest,
  mcpUsageReportRequest,
  detectionReportRequest,
  generateAgentKeyPair,
  isTimestampRefusal,
  readAgentView,
  readRecordId,
  REGISTRATION_PATH,
  skewFromDate,
  type Algorithm,
  type AgentView,
} from '../../protocol/index.js';
import { debug, isUuid, log, warn } from '../../platform/index.js';
import { credentialsFromEnv, readCredentialsFile, withRegistrationLock, writeCredentialsFile, type Credentials, type LockOptions } from './credentials.js';
import type { FleetState } from './fleet.js';
import { retryAfterMs, TransportError, type HttpResult, type Transport } from './http.js';
import { checkBody, common, errorText, type Outcome, type Protocol, type SendOptions } from './outcome.js';
import type { PendingCapability, PendingDetection } from './payload.js';
import type { PendingRecord } from './records.js';
import { capabilityReason } from './reason.js';
import { createSigner, registrationKey, stepDown, type Signer } from './signer.js';
import { conflictMessage, describe } from './signed-words.js';

/**
 * AIM's current (signed) generation (docs/aim-protocol.md): the API
 * key only registers the agent (`POST /api/v1/agents` with a client-made Ed25519 public key);
 * every `/api/v1/sdk-api/agents/{id}/...` call is signed (agent-request-v1), never with an API key
 * or an Authorization header. MCP servers go through detection/report (which also fills
 * talks_to) and get a server record each (`mcp-servers`, with its connections and tool usage);
 * capabilities through `capabilities/register` (201 granted, 202 pending, 409 already there).
 * Same `Protocol` as the API-key client: the reporter's scheduling, retry and diffing are shared.
 */
export interface SignedIdentity {
  /** The agent's name (AIM_AGENT_NAME, package.json, entry file), used to register. */
  name: string;
  /** Where the credentials live (AIM_CREDENTIALS_FILE or the default). */
  credentialsFile: string;
  /** AIM_AGENT_ID and AIM_PRIVATE_KEY as given (the key is never echoed). */
  envAgentId: string;
  envPrivateKey: string;
}

export interface SignedOptions {
  /** A transport that sends no X-API-Key by itself. */
  transport: Transport;
  apiKey: string;
  identity: SignedIdentity;
  /** Capability ids to register the agent with (none under AIM_CAPABILITIES=request|off). */
  capabilitiesSoFar: () => string[];
  agentVersion: string;
  /** AIM_ENVIRONMENT and AIM_TAGS, in the registration's metadata. */
  metadata?: Record<string, unknown>;
  fleet?: FleetState;
  lock?: Partial<LockOptions>;
  /** AIM_SIGNATURE_ALGORITHM (default Ed25519). */
  signatureAlgorithm?: Algorithm;
}

/** A 409 at registration is remembered this long, so a fleet starting at once asks AIM once. */
const CONFLICT_MEMO_MS = 10 * 60_000;

type Resolved = { creds: Credentials; view?: AgentView; source: 'env' | 'file' | 'registered' };

export function createSignedProtocol(options: SignedOptions): Protocol {
  const http = options.transport;
  const { identity, fleet } = options;
  let skewS = fleet?.skewS ?? 0;
  let resolved: Resolved | undefined;
  let timestampRetries = 0;
  let resignRetries = 0;
  let signer: Signer | undefined;

  const now = (): number => Date.now() / 1000 + skewS;

  /** The signer of the resolved credentials (AIM_SIGNATURE_ALGORITHM, or what this Node and AIM allow of it). */
  function signerOf(): Signer {
    const where = resolved!.source === 'env' ? 'AIM_AGENT_ID/AIM_PRIVATE_KEY' : identity.credentialsFile;
    const memo = fleet && { get: () => fleet.signature, set: (m: Parameters<FleetState['setSignature']>[0]) => fleet.setSignature(m) };
    return (signer ??= createSigner(resolved!.creds, options.signatureAlgorithm ?? 'Ed25519', where, memo ? { memo } : {}));
  }

  /**
   * One signed request; a 401 for the timestamp window corrects the skew from Date and re-signs
   * once. A post-quantum signature AIM refuses is tried once with the next weaker one (signer.ts);
   * the first AIM accepts is kept for the process.
   */
  async function signedRequest(method: 'GET' | 'POST', path: string, body: unknown, opts: SendOptions): Promise<HttpResult> {
    const s = signerOf();
    const attempt = (algorithm = s.algorithm): Promise<HttpResult> =>
      http.request(method, path, body, { ...opts, sign: (target, payload) => s.headers(algorithm, method, target, payload, now()) });
    let result = await attempt();
    const reason = (result.body as { reasonCode?: unknown } | undefined)?.reasonCode;
    if (result.status === 401 && reason === 'signatureInvalid' && resignRetries < 3) {
      // Bytes changed on the way (a proxy re-encoding the body, a torn write): sign anew, once.
      resignRetries++;
      debug('AIM-R106', `${method} ${path}: signature refused; signing again`);
      result = await attempt();
    } else if (result.status === 401 && isTimestampRefusal(result.body) && timestampRetries < 3) {
      const skew = skewFromDate(result.headers.date);
      if (skew !== undefined) {
        timestampRetries++;
        const before = skewS;
        skewS = skew;
        fleet?.setSkew(skew);
        log('info', 'AIM-R014', `AIM's clock is ${skew} s ${skew >= 0 ? 'ahead of' : 'behind'} this machine's; requests are now signed with AIM's time (was ${before} s).`);
        result = await attempt();
      }
    }
    return stepDown(s, result, attempt, isTimestampRefusal);
  }

  /**
   * One signed request once there are credentials. The path is made from the agent's id then:
   * a process whose first request is tool usage or a heartbeat (an earlier process registered)
   * has no credentials before this.
   */
  async function send(method: 'GET' | 'POST', pathOf: (agentId: string) => string, body: unknown, opts: SendOptions, classify: (r: HttpResult) => Outcome | Promise<Outcome>): Promise<Outcome> {
    const ready = await ensure(opts);
    if (ready) return ready;
    const path = pathOf(resolved!.creds.agentId);
    let result: HttpResult;
    try {
      result = await signedRequest(method, path, body, opts);
    } catch (error) {
      return { kind: 'retry', code: error instanceof TransportError ? error.code : 'ERROR', countsAsTry: false };
    }
    return classify(result);
  }

  /** Credentials from the environment, the file, or a registration; an Outcome when there are none (yet). */
  async function ensure(opts: SendOptions): Promise<Outcome | undefined> {
    if (resolved) return undefined;
    const fromEnv = credentialsFromEnv(identity.envAgentId, identity.envPrivateKey);
    if (fromEnv === 'bad') {
      return {
        kind: 'auth',
        status: 0,
        message:
          'AIM_PRIVATE_KEY is set but is not a base64 Ed25519 private key (32-byte seed or 64-byte seed+public), or AIM_AGENT_ID is not the agent UUID; reporting is off.',
      };
    }
    if (fromEnv) {
      resolved = { creds: fromEnv, source: 'env' };
      return undefined;
    }
    const fromFile = readCredentialsFile(identity.credentialsFile);
    if (fromFile) {
      resolved = { creds: fromFile, source: 'file' };
      return undefined;
    }
    if (isUuid(identity.envAgentId)) {
      return {
        kind: 'auth',
        status: 0,
        message:
          `AIM_AGENT_ID is an agent id, but this AIM signs every request and there is no private key for it ` +
          `(AIM_PRIVATE_KEY is not set and ${identity.credentialsFile} does not exist). Set AIM_PRIVATE_KEY, ` +
          'or unset AIM_AGENT_ID to let aim register an agent of its own. Reporting is off.',
      };
    }
    const lock = { waitMs: 10_000, staleMs: 30_000, ...options.lock };
    const got = await withRegistrationLock(
      identity.credentialsFile,
      async () => {
        // Under the lock: a process that registered just before us may have met a 409.
        fleet?.reload();
        const conflict = fleet?.conflict;
        if (conflict && conflict.name === identity.name && Date.now() - Date.parse(conflict.at) < CONFLICT_MEMO_MS) {
          return { kind: 'auth', status: 409, message: conflictMessage(identity) } satisfies Outcome;
        }
        return register(opts);
      },
      lock,
    );
    if (got.kind === 'theirs') {
      resolved = { creds: got.credentials, source: 'file' };
      return undefined;
    }
    if (got.kind === 'timeout') return { kind: 'retry', code: 'REGISTRATION_LOCK', countsAsTry: true };
    return got.value;
  }

  /** `POST /api/v1/agents` with the API key and a fresh public key; persists the credentials. */
  async function register(opts: SendOptions): Promise<Outcome | undefined> {
    const pair = generateAgentKeyPair();
    const pqc = registrationKey(options.signatureAlgorithm ?? 'Ed25519');
    const body = {
      name: identity.name,
      displayName: identity.name,
      description: 'Node.js agent registered by aim-node',
      agentType: 'custom',
      version: options.agentVersion,
      capabilities: options.capabilitiesSoFar(),
      talksTo: [],
      metadata: { source: 'aim-node', ...options.metadata },
      communityIntelligenceOptIn: false,
      publicKey: pair.publicKey,
      ...pqc.fields,
    };
    let r: HttpResult;
    try {
      r = await http.request('POST', REGISTRATION_PATH, body, { ...opts, sign: () => ({ 'x-api-key': options.apiKey }) });
    } catch (error) {
      return { kind: 'retry', code: error instanceof TransportError ? error.code : 'ERROR', countsAsTry: false };
    }
    if (r.status === 200 || r.status === 201) {
      const view = readAgentView(r.body);
      if (!view) return { kind: 'retry', status: r.status, code: 'UNREADABLE', countsAsTry: true };
      const creds: Credentials = { agentId: view.id, publicKey: pair.publicKey, privateKey: pair.privateKey };
      if (pqc.pair) Object.assign(creds, { pqcKeyAlgorithm: pqc.pair.algorithm, pqcPublicKey: pqc.pair.publicKey, pqcPrivateKey: pqc.pair.privateKey });
      if (!writeCredentialsFile(identity.credentialsFile, creds)) {
        warn(
          'AIM-R013',
          `registered agent ${JSON.stringify(identity.name)} (${view.id}) in AIM but could not write its credentials to ${identity.credentialsFile}; ` +
            'the next process cannot sign for it. Set AIM_CREDENTIALS_FILE to a writable path, or AIM_AGENT_ID and AIM_PRIVATE_KEY.',
        );
      }
      fleet?.setConflict(undefined);
      fleet?.setAgentId(view.id);
      resolved = { creds, view, source: 'registered' };
      log('info', 'AIM-R012', `registered agent ${JSON.stringify(identity.name)} in AIM as ${view.id}; credentials in ${identity.credentialsFile} (mode 0600).`);
      return undefined;
    }
    if (r.status === 409) {
      fleet?.setConflict(identity.name);
      return { kind: 'auth', status: 409, message: conflictMessage(identity) };
    }
    if (r.status === 401 || r.status === 403) {
      return {
        kind: 'auth',
        status: r.status,
        message: `AIM refused the API key when registering the agent (HTTP ${r.status}); reporting is off. Check AIM_API_KEY: it may be mistyped, disabled or expired.`,
      };
    }
    if (r.status === 404 || r.status === 405) {
      return { kind: 'auth', status: 404, message: 'this AIM has no agent registration route (/api/v1/agents): it speaks the API-key generation (AIM_PROTOCOL=api-key).' };
    }
    if (r.status === 429 || r.status >= 500) {
      return { kind: 'retry', status: r.status, retryAfterMs: retryAfterMs(r.headers), countsAsTry: r.status !== 429 };
    }
    return { kind: 'auth', status: r.status, message: `AIM refused to register agent ${JSON.stringify(identity.name)} (HTTP ${r.status}: ${errorText(r)}); reporting is off.` };
  }

  /** The signed generation's words for a 401/403. */
  function refused(r: HttpResult): Outcome {
    const reason = String((r.body as { reasonCode?: unknown } | undefined)?.reasonCode ?? '');
    const where = resolved?.source === 'env' ? 'AIM_AGENT_ID/AIM_PRIVATE_KEY' : identity.credentialsFile;
    if (reason === 'agentKeyNotRecognized') {
      return {
        kind: 'unknown-agent',
        status: r.status,
        message:
          `AIM does not know the agent and key in ${where} (agentKeyNotRecognized): the agent was deleted in AIM, its key was rotated, ` +
          `or the credentials belong to another AIM server. Reporting is off. Remove ${where === identity.credentialsFile ? 'that file' : 'those variables'} to register anew.`,
      };
    }
    if (reason === 'agentStatusDenied') {
      return { kind: 'auth', status: r.status, message: `AIM does not let this agent authenticate (${errorText(r)}): an administrator suspended or revoked it. Reporting is off.` };
    }
    if (r.status === 401 || r.status === 403) {
      return {
        kind: 'auth',
        status: r.status,
        message: `AIM refused the signed request (HTTP ${r.status}${reason ? `, ${reason}` : ''}: ${errorText(r)}); reporting is off for this process.`,
      };
    }
    return common(r);
  }

  /** 200/201 is done; the rest as every signed route. */
  function okOr(r: HttpResult): Outcome {
    return r.status === 200 || r.status === 201 ? { kind: 'ok' } : refused(r);
  }

  /** A 409 without the existing id: find the record by name (and identity). */
  async function lookUp(record: PendingRecord, opts: SendOptions): Promise<Outcome> {
    const path = (id: string): string => `${agentPath(id, 'mcp-server-by-name')}?name=${encodeURIComponent(record.body.name)}`;
    return send('GET', path, undefined, opts, (r) => {
      const id = readRecordId(r.body);
      if (r.status === 200 && id) return { kind: 'duplicate', id };
      return r.status === 404 ? { kind: 'drop', status: 409, reason: 'AIM has a server record with this URL but does not show it by name' } : refused(r);
    });
  }

  return {
    serversViaDetections: true,
    async getAgent(_identifier, opts) {
      const ready = await ensure(opts);
      if (ready) return ready;
      // Just registered: the 201 is the agent, with the capabilities it was registered with.
      if (resolved!.view) {
        const agent = resolved!.view;
        delete resolved!.view;
        return { kind: 'ok', agent };
      }
      return send('GET', (id) => agentPath(id, 'agent'), undefined, opts, (r) => {
        if (r.status === 200) {
          const agent = readAgentView(r.body);
          if (agent) fleet?.setAgentId(agent.id);
          return agent ? { kind: 'ok', agent } : { kind: 'retry', status: 200, code: 'UNREADABLE', countsAsTry: true };
        }
        if (r.status === 404) {
          return { kind: 'unknown-agent', status: 404, message: `AIM has no agent ${resolved!.creds.agentId}; reporting is off.` };
        }
        return refused(r);
      });
    },
    reportDetections(_agentId, detections: PendingDetection[], opts) {
      const body = { detections };
      const invalid = checkBody(detectionReportRequest, body);
      if (invalid) return Promise.resolve(invalid);
      return send('POST', (id) => agentPath(id, 'detection'), body, opts, (r) => {
        if (r.status === 200 || r.status === 201) return { kind: 'ok' };
        if (r.status === 409) return { kind: 'duplicate' };
        return refused(r);
      });
    },
    grantCapability(_agentId, capability: PendingCapability, opts) {
      const body = { capabilityType: capability.id, description: describe(capability) };
      return send('POST', (id) => agentPath(id, 'register'), body, opts, (r) => {
        if (r.status === 200 || r.status === 201) return { kind: 'ok' };
        if (r.status === 202) {
          fleet?.markPending(capability.id);
          log('info', `AIM-R015-${capability.id}`, `AIM holds ${capability.id} for an administrator's approval (202 pending; strict enforcement).`);
          return { kind: 'ok', pending: true };
        }
        if (r.status === 409) {
          if ((r.body as { status?: unknown } | undefined)?.status === 'pending') fleet?.markPending(capability.id);
          return { kind: 'duplicate' };
        }
        return refused(r);
      });
    },
    requestCapability(_agentId, capability, opts) {
      const body = { capability_type: capability.id, reason: capabilityReason(capability) };
      const invalid = checkBody(capabilityRequestRequest, body);
      if (invalid) return Promise.resolve(invalid);
      return send('POST', (id) => agentPath(id, 'capability-requests'), body, opts, (r) => {
        if (r.status === 200 || r.status === 201) {
          fleet?.markPending(capability.id);
          return { kind: 'ok', pending: true };
        }
        if (r.status === 409) return { kind: 'duplicate' };
        return refused(r);
      });
    },
    records: {
      createMcpServer(_agentId, record, opts) {
        const invalid = checkBody(createMcpServerRequest, record.body);
        if (invalid) return Promise.resolve(invalid);
        return send('POST', (id) => agentPath(id, 'mcp-servers'), record.body, opts, (r) => {
          const id = readRecordId(r.body);
          if ((r.status === 200 || r.status === 201) && id) return { kind: 'ok', id };
          // A duplicate URL: the record exists (upstream answers its id; else it is looked up by name).
          if (r.status === 409) return id ? { kind: 'duplicate', id } : lookUp(record, opts);
          return r.status < 300 ? { kind: 'retry', status: r.status, code: 'UNREADABLE', countsAsTry: true } : refused(r);
        });
      },
      recordConnection(_agentId, serverId, connection, opts) {
        // AIM moved these keys from snake_case to camelCase; Go ignores the spelling it does not read.
        const body = { mcpServerId: serverId, toolName: connection.tool, mcpName: connection.name, mcpUrl: connection.identity, connectionType: 'sdk_runtime', mcp_server_id: serverId, tool_name: connection.tool };
        return send('POST', (id) => agentPath(id, 'mcp-connections'), body, opts, okOr);
      },
      async reportUsage(_agentId, body, opts) {
        const invalid = checkBody(mcpUsageReportRequest, body);
        if (invalid) return invalid;
        const ready = await ensure(opts);
        if (ready) return ready;
        return send('POST', (id) => agentPath(id, 'mcp-usage-report'), { ...body, agentId: resolved!.creds.agentId }, opts, okOr);
      },
      heartbeat(_agentId, opts) {
        return send('POST', (id) => agentPath(id, 'heartbeat'), undefined, opts, okOr);
      },
      reportCapabilities(_agentId, report, opts) {
        const invalid = checkBody(capabilityReportRequest, report.body);
        if (invalid) return Promise.resolve(invalid);
        return send('POST', capabilityReportPath, report.body, opts, okOr);
      },
    },
    addMcpServers() {
      // Not sent in this generation (serversViaDetections): detection/report fills talks_to.
      debug('AIM-R104', 'mcp-servers: not used by the signed generation');
      return Promise.resolve({ kind: 'duplicate' });
    },
    close() {
      http.close();
    },
  };
}
