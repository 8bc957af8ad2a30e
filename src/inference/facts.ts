import { hostRisk, networkTools, pathRisk, riskSeverity, type RiskKind } from '../catalog/index.js';
import { displayPath, type Inventory, type PathEntry, type RiskSignal } from '../inventory/index.js';
import type { Caller, PathTouched, ProgramSpawned } from '../observations/index.js';

/** The files and programs a call named, and the risk signals they raise. */
export function inferPath(observation: PathTouched, inventory: Inventory, now: string): void {
  const path = displayPath(observation.path);
  const entry: PathEntry = { path, access: observation.access };
  if (observation.form) entry.form = observation.form;
  if (observation.api) entry.api = observation.api;
  if (observation.caller) entry.who = observation.caller.who;
  inventory.addPath(entry);
  const risk = pathRisk(path, observation.access, observation.api);
  if (risk) inventory.addRisk(flag(risk.kind, path, risk.label, observation.api, observation.caller, now));
}

export function inferSpawn(observation: ProgramSpawned, inventory: Inventory, now: string): void {
  if (!networkTools.has(observation.program)) return;
  inventory.addRisk(flag('network-tool-spawn', observation.program, 'network tool', observation.api, observation.caller, now));
}

/** A request or connection to a paste, webhook, tunnel or interaction host. */
export function inferHost(host: string, path: string, api: string, caller: Caller, inventory: Inventory, now: string): void {
  const row = hostRisk(host, path);
  if (row) inventory.addRisk(flag('exfil-host', host.replace(/:\d+$/, '').toLowerCase(), row.category, api, caller, now));
}

/** A package's directory: Node reads it to load the package (`--allow-fs-read` under the policy). */
export function inferPackageDir(dir: string, inventory: Inventory): void {
  inventory.addPath({ path: displayPath(dir), access: 'load' });
}

function flag(kind: RiskKind, subject: string, label: string, api: string | undefined, caller: Caller | undefined, now: string): RiskSignal {
  const risk: RiskSignal = { kind, severity: riskSeverity[kind], subject, label, who: caller?.who ?? 'app', firstSeen: now };
  if (api) risk.api = api;
  if (caller?.location) risk.location = caller.location;
  return risk;
}
