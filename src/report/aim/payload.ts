import type { Capability, InventorySnapshot, McpServer } from '../../inventory/index.js';
import { emptySigned, signedFrom, type SignedDesired } from './records.js';

/**
 * What this process wants AIM to know, derived from one inventory snapshot (latest wins). Pure
 * data, keyed so that the reporter can tell what is new: `cap:<id>`, `det:<server>|<method>`,
 * `srv:<name>`. Shapes follow docs/aim-protocol.md; limits are AIM's.
 */
export interface PendingCapability {
  id: string;
  scope: Record<string, unknown>;
}

export interface PendingDetection {
  mcpServer: string;
  detectionMethod: string;
  confidence: number;
  details: Record<string, unknown>;
  sdkVersion: string;
  timestamp: string;
}

export interface PendingServer {
  name: string;
  confidence: number;
  transport?: string;
}

export interface Desired extends SignedDesired {
  capabilities: Map<string, PendingCapability>;
  detections: Map<string, PendingDetection>;
  servers: Map<string, PendingServer>;
}

export const INTEGRATION_SERVER = 'aim-sdk-integration';
export const SOURCE = 'aim-node';

export function emptyDesired(): Desired {
  return { capabilities: new Map(), detections: new Map(), servers: new Map(), ...emptySigned() };
}

export const capKey = (id: string): string => `cap:${id}`;
export const detKey = (server: string, method: string): string => `det:${server}|${method}`;
export const srvKey = (name: string): string => `srv:${name}`;

export function sdkVersionOf(version: string): string {
  return `aim-node@${version}`.slice(0, 50);
}

/** The capabilities and servers this process should report. Launchers (npm, npx, ...) report nothing. */
/** Who this deployment is (AIM_ENVIRONMENT, AIM_AGENT_VERSION, AIM_TAGS): sent with the integration entry. */
export interface Deployment {
  environment?: string;
  version?: string;
  tags?: string[];
}

export function deploymentDetails(deployment: Deployment): Record<string, unknown> {
  return {
    ...(deployment.environment && { environment: deployment.environment }),
    ...(deployment.version && { deploymentVersion: deployment.version }),
    ...(deployment.tags?.length && { tags: deployment.tags }),
  };
}

export function desiredFrom(snapshot: InventorySnapshot, reportPotential: boolean, now = new Date(), deployment: Deployment = {}): Desired {
  const desired: Desired = { ...emptyDesired(), ...signedFrom(snapshot, now) };
  if (snapshot.process.launcher) return desired;
  const timestamp = now.toISOString();
  const sdkVersion = sdkVersionOf(snapshot.agent.version);

  // Probes and hints are never capabilities to grant, whatever AIM_REPORT_POTENTIAL says.
  const capabilities = snapshot.capabilities.filter((c) => c.strength === 'used' || (reportPotential && c.strength === 'loaded'));
  for (const c of capabilities) desired.capabilities.set(capKey(c.id), { id: c.id, scope: scopeOf(c) });

  desired.detections.set(detKey(INTEGRATION_SERVER, 'sdk_integration'), {
    mcpServer: INTEGRATION_SERVER,
    detectionMethod: 'sdk_integration',
    confidence: 100,
    details: {
      platform: 'node',
      capabilities: capabilities.map((c) => c.id),
      integrated: true,
      agentVersion: snapshot.agent.version,
      nodeVersion: snapshot.process.node,
      hookMode: snapshot.agent.hookMode,
      visibility: snapshot.agent.visibility,
      ...deploymentDetails(deployment),
    },
    sdkVersion,
    timestamp,
  });

  for (const server of snapshot.mcpServers) {
    // A client library that was only loaded is potential, like a `loaded` capability.
    if (server.detectionMethod === 'sdk_import' && !reportPotential) continue;
    const name = clip(server.name || server.key, 255);
    if (!name) continue;
    const key = detKey(name, server.detectionMethod);
    if (!desired.detections.has(key)) {
      desired.detections.set(key, {
        mcpServer: name,
        detectionMethod: server.detectionMethod,
        confidence: confidenceOf(server.confidence),
        details: serverDetails(server),
        sdkVersion,
        timestamp,
      });
    }
    // talks_to: only servers this process really connected to.
    if (server.detectionMethod === 'sdk_runtime' && server.failed !== true && !desired.servers.has(srvKey(name))) {
      desired.servers.set(srvKey(name), { name, confidence: confidenceOf(server.confidence), transport: server.transport });
    }
  }
  return desired;
}

function scopeOf(c: Capability): Record<string, unknown> {
  const evidence = c.evidence.slice(0, 5).map((e) => {
    const item: Record<string, unknown> = { api: clip(e.api, 200), who: clip(e.who, 200), firstSeen: e.firstSeen };
    if (e.location) item.location = clip(e.location, 300);
    if (e.details) item.details = clipRecord(e.details, 10);
    return item;
  });
  const scope: Record<string, unknown> = {
    source: SOURCE,
    strength: c.strength,
    confidence: confidenceOf(c.confidence),
    evidence,
  };
  const who = [...new Set(c.evidence.map((e) => e.who))].slice(0, 20);
  if (who.length) scope.usedBy = who;
  const first = c.evidence.map((e) => e.firstSeen).sort()[0];
  if (first) scope.detectedAt = first;
  return scope;
}

function serverDetails(server: McpServer): Record<string, unknown> {
  const details: Record<string, unknown> = { source: SOURCE, transport: server.transport };
  if (server.command) details.command = clip(server.command, 300);
  if (server.args) details.args = server.args.slice(0, 20).map((a) => clip(a, 200));
  if (server.url) details.url = clip(server.url, 500);
  if (server.serverInfo) details.serverInfo = { ...server.serverInfo };
  if (server.protocolVersion) details.protocolVersion = server.protocolVersion;
  if (server.clientLibrary) details.clientLibrary = { ...server.clientLibrary };
  if (server.tools) details.tools = server.tools.slice(0, 100).map((t) => clip(t, 100));
  if (server.toolsCalled) details.toolsCalled = server.toolsCalled.slice(0, 100).map((t) => clip(t, 100));
  if (server.failed !== undefined) details.failed = server.failed;
  if (server.connectedAt) details.connectedAt = server.connectedAt;
  return details;
}

/** AIM drops an item whose confidence is outside 0 to 100. */
export function confidenceOf(value: number): number {
  if (!Number.isFinite(value)) return 50;
  return Math.min(100, Math.max(0, Math.round(value)));
}

function clip(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max - 1) + '…';
}

function clipRecord(record: Record<string, string>, max: number): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record)
      .slice(0, max)
      .map(([k, v]) => [clip(k, 50), clip(String(v), 200)]),
  );
}

/** Unions `extra` into `into` (entries already in `into` win: they are fresher). */
export function mergeDesired(into: Desired, extra: Desired): Desired {
  for (const [k, v] of extra.capabilities) if (!into.capabilities.has(k)) into.capabilities.set(k, v);
  for (const [k, v] of extra.detections) if (!into.detections.has(k)) into.detections.set(k, v);
  for (const [k, v] of extra.servers) if (!into.servers.has(k)) into.servers.set(k, v);
  for (const [k, v] of extra.records) if (!into.records.has(k)) into.records.set(k, v);
  for (const [k, v] of extra.connections) if (!into.connections.has(k)) into.connections.set(k, v);
  for (const [k, v] of extra.reports) if (!into.reports.has(k)) into.reports.set(k, v);
  return into;
}
