/**
 * Risk signals: evidence flags for what an agent should rarely do, each with the path, program or
 * host it concerns and its kind, never a value. One row each; `aim inspect` shows them, the
 * capability report feeds them to AIM's `credentialAccess` and `riskAssessment`.
 */
export type RiskKind = 'credential-read' | 'credential-probe' | 'shell-startup-write' | 'network-tool-spawn' | 'exfil-host';
export type RiskSeverity = 'low' | 'medium' | 'high' | 'critical';

export interface PathRiskRow {
  /** Matched against the path with the home directory as `~` and `/` separators. */
  pattern: RegExp;
  label: string;
}

const anyDir = '(?:^|/)';

/** Files whose contents are credentials (read access: their contents; probes: their presence). */
export const credentialFiles: readonly PathRiskRow[] = [
  { pattern: /^~\/\.aws\/(credentials|config)$/, label: 'AWS credentials' },
  { pattern: /^~\/\.ssh\/id_[^/]*$/, label: 'SSH private key' },
  { pattern: new RegExp(`${anyDir}\\.env(\\.[^/]+)?$`), label: 'dotenv file' },
  { pattern: new RegExp(`${anyDir}\\.npmrc$`), label: 'npm token file' },
  { pattern: new RegExp(`${anyDir}\\.netrc$`), label: 'netrc' },
  { pattern: new RegExp(`${anyDir}\\.pgpass$`), label: 'PostgreSQL password file' },
  { pattern: /^~\/\.kube\/config$/, label: 'Kubernetes config' },
  { pattern: /^~\/\.config\/gcloud\/(credentials\.db|access_tokens\.db|application_default_credentials\.json|legacy_credentials(\/.*)?)$/, label: 'gcloud credentials' },
  { pattern: /^~\/\.docker\/config\.json$/, label: 'Docker registry config' },
  { pattern: new RegExp(`${anyDir}\\.git-credentials$`), label: 'git credentials' },
  { pattern: /^~\/\.config\/gh\/hosts\.yml$/, label: 'GitHub CLI token' },
  { pattern: /^~\/\.azure\/(accessTokens\.json|msal_token_cache\.json)$/, label: 'Azure CLI tokens' },
];

/** Files a shell runs at start-up: a write there runs code in every later shell. */
export const shellStartupFiles: readonly PathRiskRow[] = [
  { pattern: /^~\/\.(bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|kshrc|cshrc|tcshrc)$/, label: 'shell start-up file' },
  { pattern: /^~\/\.config\/fish\/(config\.fish|conf\.d\/[^/]+)$/, label: 'fish start-up file' },
  { pattern: /^\/etc\/(profile|bash\.bashrc|bashrc|zshrc|zprofile|environment|profile\.d\/[^/]+)$/, label: 'system shell start-up file' },
];

/** Programs that move data over the network on their own (AIM's own ARP module lists these). */
export const networkTools: ReadonlySet<string> = new Set(['curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'ssh', 'scp', 'sftp', 'rsync', 'telnet', 'ftp']);

export interface HostRiskRow {
  /** Exact host, or a suffix starting with a dot. */
  host: string;
  category: 'paste' | 'webhook' | 'tunnel' | 'interaction';
  /** Only requests under this path count (discord.com is a webhook only under /api/webhooks). */
  pathPrefix?: string;
}

/** Hosts where data sent out lands for anyone, or that reach into a private network. */
export const exfilHosts: readonly HostRiskRow[] = [
  ...['pastebin.com', 'paste.ee', 'hastebin.com', 'dpaste.org', 'dpaste.com', 'paste.rs', 'ghostbin.com', 'rentry.co', 'termbin.com', '0x0.st', 'transfer.sh', 'file.io', 'gist.githubusercontent.com'].map(
    (host) => ({ host, category: 'paste' as const }),
  ),
  ...['webhook.site', '.requestcatcher.com', '.m.pipedream.net', '.free.beeceptor.com', 'hookbin.com', '.requestbin.net', 'requestbin.com'].map((host) => ({ host, category: 'webhook' as const })),
  { host: 'hooks.slack.com', category: 'webhook', pathPrefix: '/services/' },
  { host: 'discord.com', category: 'webhook', pathPrefix: '/api/webhooks' },
  { host: 'discordapp.com', category: 'webhook', pathPrefix: '/api/webhooks' },
  ...['.ngrok.io', '.ngrok-free.app', '.ngrok.app', '.ngrok.dev', '.trycloudflare.com', '.loca.lt', '.serveo.net', '.localhost.run', '.lhr.life', '.pinggy.link', 'bore.pub', '.tunnelmole.net', '.devtunnels.ms'].map(
    (host) => ({ host, category: 'tunnel' as const }),
  ),
  ...['.oast.fun', '.oast.pro', '.oast.live', '.oast.site', '.oast.online', '.oast.me', '.interact.sh', '.burpcollaborator.net', '.dnslog.cn'].map((host) => ({ host, category: 'interaction' as const })),
];

/** How serious each kind is, as AIM's riskAssessment counts it. */
export const riskSeverity: Readonly<Record<RiskKind, RiskSeverity>> = {
  'credential-read': 'high',
  'credential-probe': 'low',
  'shell-startup-write': 'critical',
  'network-tool-spawn': 'medium',
  'exfil-host': 'high',
};

/** Metadata probes: Node asks read permission for them, but they read no contents. */
const probeApis = /\.(stat|lstat|access|exists|realpath|readlink|watch|watchFile)(Sync)?$/;

export interface PathRisk {
  kind: RiskKind;
  label: string;
}

/** The risk of touching a path (already in `~` form), if any. */
export function pathRisk(path: string, access: 'read' | 'write' | 'load', api = ''): PathRisk | undefined {
  if (access === 'write') {
    const row = shellStartupFiles.find((r) => r.pattern.test(path));
    if (row) return { kind: 'shell-startup-write', label: row.label };
  }
  if (access === 'read') {
    const row = credentialFiles.find((r) => r.pattern.test(path));
    if (row) return { kind: probeApis.test(api) ? 'credential-probe' : 'credential-read', label: row.label };
  }
  return undefined;
}

/** The category of a host data may leave through, if any. */
export function hostRisk(host: string, path = ''): HostRiskRow | undefined {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return exfilHosts.find(
    (r) => (r.host.startsWith('.') ? name.endsWith(r.host) : name === r.host) && (!r.pathPrefix || path.startsWith(r.pathPrefix)),
  );
}
