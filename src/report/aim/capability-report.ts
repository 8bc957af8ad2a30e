import type { Capability, CapabilityId, InventorySnapshot, RiskFlag } from '../../inventory/index.js';
import type { CapabilityReportRequest, RiskLevel } from '../../protocol/index.js';

/**
 * AIM's capability report (`domain.AgentCapabilityReport`) from one inventory snapshot: what the
 * program was seen doing, section by section, and a risk assessment computed from it with the
 * tables below. Facts only: hosts but no paths or queries, no file names but those the policy
 * layer flags as credentials, no prompts (model names only where the wire shows them).
 */
type Report = CapabilityReportRequest;
type Sections = Report['capabilities'];

/** Risk points per capability the program really used, and the alert it raises. */
const RISK: Partial<Record<CapabilityId, { points: number; alert?: { severity: 'LOW' | 'MEDIUM' | 'HIGH'; message: string; recommendation: string } }>> = {
  'system:exec': {
    points: 40,
    alert: { severity: 'HIGH', message: 'The agent runs other programs (child_process).', recommendation: 'Confirm which commands it may run; run it with least privilege.' },
  },
  'file:delete': {
    points: 20,
    alert: { severity: 'MEDIUM', message: 'The agent deletes files.', recommendation: 'Limit the directories it may write to.' },
  },
  'file:write': { points: 15 },
  'network:listen': {
    points: 10,
    alert: { severity: 'MEDIUM', message: 'The agent accepts network connections.', recommendation: 'Check who can reach its port.' },
  },
  'db:write': { points: 10 },
  'network:connect': { points: 5 },
  'mcp:tool_use': { points: 5 },
};
const FLAG_POINTS: Record<RiskFlag['severity'], number> = { low: 5, medium: 10, high: 25, critical: 40 };
/** Lower bounds of each level; AIM accepts these four words, lowercase only. */
const LEVELS: [number, RiskLevel][] = [
  [75, 'critical'],
  [50, 'high'],
  [25, 'medium'],
  [0, 'low'],
];
const FRAMEWORKS = ['langchain', '@langchain/core', 'ai', 'llamaindex', '@mastra/core', '@modelcontextprotocol/sdk', '@openai/agents', 'crewai'];
const BROWSERS = { puppeteer: ['puppeteer', 'puppeteer-core'], playwright: ['playwright', 'playwright-core', '@playwright/test'], selenium: ['selenium-webdriver'] };
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0)$/i;
const DATABASES = { postgresql: /postgres|\bpg\b/i, mongodb: /mongo/i, mysql: /mysql/i, sqlite: /sqlite/i, redis: /redis/i } as const;

export function capabilityReportOf(snapshot: InventorySnapshot, now: Date): Report {
  const used = new Map(snapshot.capabilities.filter((c) => c.strength === 'used').map((c) => [c.id, c]));
  const packages = new Set(snapshot.packages.map((p) => p.name));
  const flags = snapshot.riskFlags ?? [];
  return {
    detectedAt: now.toISOString(),
    environment: {
      language: 'javascript',
      version: snapshot.process.node.replace(/^v/, ''),
      runtime: 'node',
      platform: process.platform,
      arch: process.arch,
      frameworks: FRAMEWORKS.filter((f) => packages.has(f)),
    },
    aiModels: aiModels(used.get('ai:model_call')),
    capabilities: sections(used, packages, flags),
    riskAssessment: riskOf(used, flags),
  };
}

function method(c: Capability | undefined): string {
  return c?.evidence.some((e) => e.api.startsWith('package ')) && c.strength !== 'used' ? 'package_import' : 'runtime_hook';
}

function sections(used: Map<CapabilityId, Capability>, packages: Set<string>, flags: RiskFlag[]): Sections {
  const out: Sections = {};
  const has = (id: CapabilityId): boolean => used.has(id);
  if (has('file:read') || has('file:write') || has('file:delete')) {
    out.fileSystem = { read: has('file:read'), write: has('file:write'), delete: has('file:delete'), execute: false, detectionMethod: 'runtime_hook' };
  }
  const db = [used.get('db:read'), used.get('db:write')].filter((c): c is Capability => Boolean(c));
  if (db.length) {
    const seen = db.flatMap((c) => c.evidence.map((e) => `${e.api} ${e.who} ${Object.values(e.details ?? {}).join(' ')}`)).join(' ');
    const kinds = Object.fromEntries(Object.entries(DATABASES).map(([k, re]) => [k, re.test(seen)]));
    out.database = { ...kinds, operations: db.map((c) => c.id.slice(3)), detectionMethod: method(db[0]) };
  }
  const net = ['network:connect', 'api:call', 'ai:model_call'].map((id) => used.get(id as CapabilityId)).filter((c): c is Capability => Boolean(c));
  if (net.length) {
    const evidence = net.flatMap((c) => c.evidence);
    // External hosts only, without ports: a loopback address or an ephemeral port is not an API,
    // and would make every run's report look new.
    const hosts = [...new Set(evidence.map((e) => e.details?.host?.replace(/:\d+$/, '')).filter((h): h is string => Boolean(h) && !LOOPBACK.test(h!)))]
      .sort()
      .slice(0, 50);
    out.network = {
      http: evidence.some((e) => /\bhttp\b|http\./.test(e.api)),
      https: evidence.some((e) => /https|fetch/.test(e.api)),
      websocket: evidence.some((e) => /websocket|\bws\b/i.test(e.api)),
      tcp: evidence.some((e) => /\bnet\.|tcp/i.test(e.api)),
      udp: evidence.some((e) => /dgram|udp/i.test(e.api)),
      externalApis: hosts,
      detectionMethod: 'runtime_hook',
    };
  }
  const exec = used.get('system:exec');
  if (exec) {
    const apis = exec.evidence.map((e) => e.api).join(' ');
    out.codeExecution = {
      eval: /\beval\b/.test(apis),
      exec: /exec/.test(apis),
      shellCommands: /exec(Sync)?\b|shell/.test(apis),
      childProcesses: true,
      vmExecution: /\bvm\./.test(apis),
      detectionMethod: 'runtime_hook',
    };
  }
  const credentials = flags.filter((f) => f.credential);
  if (credentials.length) {
    const kinds = new Set(credentials.map((f) => f.credential!.kind));
    out.credentialAccess = {
      envVars: kinds.has('envVars'),
      configFiles: kinds.has('configFiles'),
      keyring: kinds.has('keyring'),
      credentialFiles: credentials.map((f) => f.credential!.path).filter((p): p is string => Boolean(p)).slice(0, 20),
      detectionMethod: 'policy',
    };
  }
  const browsers = Object.fromEntries(Object.entries(BROWSERS).map(([k, names]) => [k, names.some((n) => packages.has(n))]));
  if (Object.values(browsers).some(Boolean)) out.browserAutomation = { ...browsers, detectionMethod: 'package_import' };
  return out;
}

function aiModels(calls: Capability | undefined): Report['aiModels'] {
  if (!calls) return [];
  const byProvider = new Map<string, Set<string>>();
  for (const e of calls.evidence) {
    const provider = e.details?.provider ?? e.who;
    const models = byProvider.get(provider) ?? new Set<string>();
    if (e.details?.model) models.add(e.details.model);
    byProvider.set(provider, models);
  }
  return [...byProvider].map(([provider, models]) => ({ provider, models: [...models], detectionType: 'network' }));
}

function riskOf(used: Map<CapabilityId, Capability>, flags: RiskFlag[]): Report['riskAssessment'] {
  let score = 0;
  const alerts: Report['riskAssessment']['alerts'] = [];
  for (const [id, row] of Object.entries(RISK) as [CapabilityId, NonNullable<(typeof RISK)[CapabilityId]>][]) {
    if (!used.has(id)) continue;
    score += row.points;
    if (row.alert) alerts.push({ ...row.alert, capability: id, trustScoreImpact: -Math.round(row.points / 10) });
  }
  for (const f of flags) {
    score += FLAG_POINTS[f.severity];
    alerts.push({
      severity: f.severity.toUpperCase() as 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL',
      capability: f.capability,
      message: f.message.slice(0, 500),
      recommendation: (f.recommendation ?? '').slice(0, 500),
      trustScoreImpact: -Math.round(FLAG_POINTS[f.severity] / 10),
    });
  }
  const overallRiskScore = Math.min(100, Math.round(score));
  const riskLevel = LEVELS.find(([min]) => overallRiskScore >= min)![1];
  return { overallRiskScore, riskLevel, trustScoreImpact: -Math.round(overallRiskScore / 10), alerts };
}
