import { homedir } from 'node:os';
import type { PathEntry, RiskFlag, RiskSignal, RuntimeFeature } from './types.js';

/** Distinct paths an inventory keeps; past this it says `pathsTruncated` and keeps the first. */
export const MAX_PATHS = 1000;
/** Distinct risk flags kept (one per kind and subject). */
const MAX_RISKS = 100;

let home: string | undefined;

/** The path as the inventory shows it: the home directory as `~`, `/` separators. */
export function displayPath(path: string): string {
  home ??= safeHome();
  const normal = path.replace(/\\/g, '/');
  if (home && (normal === home || normal.startsWith(`${home}/`))) return `~${normal.slice(home.length)}`;
  return normal;
}

/** The absolute path again, for a tool that needs one (`aim policy` on this machine). */
export function absolutePath(path: string, homeDir = safeHome() ?? ''): string {
  return path === '~' || path.startsWith('~/') ? `${homeDir}${path.slice(1)}` : path;
}

function safeHome(): string | undefined {
  try {
    const dir = homedir().replace(/\\/g, '/').replace(/\/+$/, '');
    return dir.length > 1 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The paths a process touched and the risk flags raised: deduplicated and bounded. */
export class PathLog {
  private readonly paths = new Map<string, PathEntry>();
  private readonly risks = new Map<string, RiskSignal>();
  private readonly features = new Set<RuntimeFeature>();
  truncated = false;

  addFeature(feature: RuntimeFeature): boolean {
    if (this.features.has(feature)) return false;
    this.features.add(feature);
    return true;
  }

  featureList(): RuntimeFeature[] {
    return [...this.features].sort();
  }

  /** Returns true when the entry is new. */
  addPath(entry: PathEntry): boolean {
    const key = `${entry.access}|${entry.path}`;
    if (this.paths.has(key)) return false;
    if (this.paths.size >= MAX_PATHS) {
      const changed = !this.truncated;
      this.truncated = true;
      return changed;
    }
    this.paths.set(key, entry);
    return true;
  }

  addRisk(flag: RiskSignal): boolean {
    const key = `${flag.kind}|${flag.subject}`;
    if (this.risks.has(key) || this.risks.size >= MAX_RISKS) return false;
    this.risks.set(key, flag);
    return true;
  }

  pathList(): PathEntry[] {
    return [...this.paths.values()].map((p) => ({ ...p })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.access < b.access ? -1 : 1));
  }

  riskList(): RiskSignal[] {
    return [...this.risks.values()].map((r) => ({ ...r }));
  }
}

/** What a signal means for AIM's capability report (credentialAccess, riskAssessment.alerts). */
const reportOf: Record<RiskSignal['kind'], { capability: string; recommendation: string }> = {
  'credential-read': { capability: 'file:read', recommendation: 'Give the agent its own narrowly scoped credentials, or none; aim policy shows the file grants it needs.' },
  'credential-probe': { capability: 'file:read', recommendation: 'Check why the agent looks for credential files.' },
  'shell-startup-write': { capability: 'file:write', recommendation: 'An agent should not change shell start-up files: review the change and deny the write (aim policy).' },
  'network-tool-spawn': { capability: 'system:exec', recommendation: 'Check what the agent sends with this tool; deny child processes where it needs none.' },
  'exfil-host': { capability: 'network:connect', recommendation: 'Data sent to paste, webhook or tunnel hosts leaves your control: check the destination.' },
};

/** A risk signal in the shape the AIM capability report reads (`riskFlags`). */
export function asRiskFlag(signal: RiskSignal): RiskFlag {
  const { capability, recommendation } = reportOf[signal.kind];
  const flag: RiskFlag = {
    id: signal.kind,
    severity: signal.severity,
    capability,
    message: `${signal.label}: ${signal.subject}${signal.api ? ` (${signal.api} by ${signal.who})` : ''}`,
    recommendation,
  };
  if (signal.kind === 'credential-read' || signal.kind === 'credential-probe') {
    flag.credential = { kind: signal.label === 'dotenv file' ? 'configFiles' : 'credentialFile', path: signal.subject };
  }
  return flag;
}
