import { byKey } from './inventory.js';
import { mergeServer } from './servers.js';
import type { Capability, Evidence, InventorySnapshot, McpServer, RiskSignal } from './types.js';
import { strengthRank } from './types.js';

/** The inventory of a whole process tree, as `aim inspect --json` prints it. */
export interface MergedInventory {
  processes: MergedProcess[];
  /** Merged by id over every process that is not a launcher (npm, npx, tsx's launcher...). */
  capabilities: (Capability & { pids: number[] })[];
  mcpServers: (McpServer & { pids: number[] })[];
  /** Risk signals of every process that is not a launcher, one per kind and subject. */
  risks: (RiskSignal & { pids: number[] })[];
}

export interface MergedProcess {
  pid: number;
  ppid: number;
  argv: string[];
  entry?: string;
  launcher?: string;
  node: string;
  hookMode: string;
  visibility: string;
  capabilities: string[];
  packages: { name: string; version?: string }[];
}

export function mergeSnapshots(snapshots: InventorySnapshot[]): MergedInventory {
  const ordered = [...snapshots].sort((a, b) => a.process.pid - b.process.pid);
  const capabilities = new Map<string, Capability & { pids: number[] }>();
  const servers = new Map<string, McpServer & { pids: number[] }>();
  const risks = new Map<string, RiskSignal & { pids: number[] }>();
  for (const snapshot of ordered) {
    if (snapshot.process.launcher) continue;
    for (const capability of snapshot.capabilities) mergeCapability(capabilities, capability, snapshot.process.pid);
    for (const server of snapshot.mcpServers) addServer(servers, server, snapshot.process.pid);
    for (const risk of snapshot.risks ?? []) mergeRisk(risks, risk, snapshot.process.pid);
  }
  return {
    processes: ordered.map(describeProcess),
    capabilities: [...capabilities.values()].sort(byKey((c) => c.id)),
    mcpServers: [...servers.values()].sort(byKey((s) => s.name)),
    risks: [...risks.values()].sort(byKey((r) => `${severityRank[r.severity]}${r.kind}${r.subject}`)),
  };
}

/** Most severe first. */
const severityRank: Record<RiskSignal['severity'], number> = { critical: 0, high: 1, medium: 2, low: 3 };

function mergeRisk(into: Map<string, RiskSignal & { pids: number[] }>, risk: RiskSignal, pid: number): void {
  const key = `${risk.kind}|${risk.subject}`;
  const known = into.get(key);
  if (!known) into.set(key, { ...risk, pids: [pid] });
  else if (!known.pids.includes(pid)) known.pids.push(pid);
}

function describeProcess(snapshot: InventorySnapshot): MergedProcess {
  const { process: p, agent } = snapshot;
  const described: MergedProcess = {
    pid: p.pid,
    ppid: p.ppid,
    argv: p.argv,
    node: p.node,
    hookMode: agent.hookMode,
    visibility: agent.visibility,
    capabilities: snapshot.capabilities.map((c) => `${c.id} (${c.strength})`),
    packages: snapshot.packages,
  };
  if (p.entry) described.entry = p.entry;
  if (p.launcher) described.launcher = p.launcher;
  return described;
}

function mergeCapability(into: Map<string, Capability & { pids: number[] }>, capability: Capability, pid: number): void {
  const known = into.get(capability.id);
  if (!known) {
    into.set(capability.id, { ...capability, evidence: [...capability.evidence], pids: [pid] });
    return;
  }
  if (strengthRank[capability.strength] > strengthRank[known.strength]) known.strength = capability.strength;
  known.confidence = Math.max(known.confidence, capability.confidence);
  if (!known.pids.includes(pid)) known.pids.push(pid);
  const keys = new Set(known.evidence.map(evidenceKey));
  for (const evidence of capability.evidence) {
    if (!keys.has(evidenceKey(evidence))) known.evidence.push(evidence);
  }
}

function evidenceKey(e: Evidence): string {
  return `${e.strength}|${e.api}|${e.who}|${e.location ?? ''}`;
}

/** The same rule as within one process (servers.ts), plus which processes saw the server. */
function addServer(into: Map<string, McpServer & { pids: number[] }>, server: McpServer, pid: number): void {
  const known = into.get(server.key);
  const pids = !known ? [pid] : known.pids.includes(pid) ? known.pids : [...known.pids, pid];
  into.set(server.key, { ...mergeServer(known && withoutPids(known), server), pids });
}

function withoutPids({ pids: _pids, ...server }: McpServer & { pids: number[] }): McpServer {
  return server;
}
