import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultStateDir } from '../../platform/index.js';

/**
 * Where the reporter keeps its files, in one place: the spool (what waits to be sent), the ledger
 * (capabilities seen granted), the fleet state (what AIM acknowledged), and the signed
 * generation's credentials. Each is named by a short hash of the AIM URL and the agent, so one
 * machine can report to several servers and agents without their files meeting.
 */
/** In the user's own state directory: a spool in a shared one would be sent with the user's key. */
export function defaultSpoolDir(): string {
  return path.join(defaultStateDir(), 'spool');
}

/** The first `length` hex digits of sha256 over the parts, joined by newlines. */
export function hashedName(parts: string[], length = 20): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, length);
}

export function spoolPath(dir: string, url: string, agent: string): string {
  return path.join(dir, `${hashedName([url, agent])}.json`);
}

/** Per URL and agent UUID (see ledger.ts). */
export function ledgerPath(dir: string, url: string, agentUuid: string): string {
  return path.join(dir, `${hashedName([url, agentUuid])}.granted.json`);
}

export function fleetStatePath(dir: string, url: string, agent: string): string {
  return path.join(dir, `${hashedName([url, agent])}.state.json`);
}

/** The user's config directory: XDG_CONFIG_HOME or ~/.config; Application Support on macOS; APPDATA on Windows. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CONFIG_HOME) return env.XDG_CONFIG_HOME;
  if (process.platform === 'win32' && env.APPDATA) return env.APPDATA;
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support');
  return path.join(home, '.config');
}

/** `<config>/aim/agents/<name>-<server hash>.json`: one file per agent name and AIM server. */
export function defaultCredentialsFile(url: string, name: string, env: NodeJS.ProcessEnv = process.env): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'agent';
  return path.join(configDir(env), 'aim', 'agents', `${safe}-${hashedName([url], 10)}.json`);
}
