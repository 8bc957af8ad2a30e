import * as z from 'zod/mini';
import { isOn } from '../platform/index.js';

/**
 * Every AIM_* variable, once. The README's configuration table is this table.
 * Each variable is validated on its own, so one bad value costs only that value.
 */
export interface Setting<T> {
  env: string;
  /** Other names accepted for the same setting. */
  aliases?: string[];
  schema: z.ZodMiniType<T>;
  default: T;
  description: string;
  /** Never echoed in a warning, a log line or a file. */
  sensitive?: boolean;
  /** The default as the configuration table shows it, when the value itself does not say it. */
  shownDefault?: string;
  /** When the value is bad: fall back to the default (`default`) or turn reporting off (`disable-reporting`). */
  onInvalid?: 'default' | 'disable-reporting';
}

const bool = z.pipe(
  z.string().check(z.regex(/^(1|0|true|false|yes|no|on|off|disabled)$/i)),
  z.transform((v: string) => isOn(v)),
);
const positiveInt = (max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d+$/)),
    z.pipe(z.transform((v: string) => Number(v)), z.number().check(z.minimum(0), z.maximum(max))),
  );
const httpUrl = z.url({ protocol: /^https?$/ });

/** A comma- or space-separated list (AIM_TAGS, AIM_DISABLED_HOOKS), each item matching `item`. */
const list = (item: RegExp, max: number) =>
  z.pipe(
    z.string().check(z.refine((v: string) => words(v).length <= max && words(v).every((w) => item.test(w)))),
    z.transform((v: string) => [...new Set(words(v))]),
  );
const words = (v: string): string[] => v.split(/[\s,]+/).filter(Boolean);

/** AIM_SIGNATURE_ALGORITHM's values (names.ts checks the same at startup), and AIM's X-Algorithm for each. */
export const SIGNATURE_ALGORITHM = /^(ed25519|ml-dsa-(44|65|87)|hybrid|hybrid-ml-dsa-(44|65|87)|ed25519\+ml-dsa-(44|65|87))$/i;
export type SignatureAlgorithm = 'Ed25519' | 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87' | 'Ed25519+ML-DSA-44' | 'Ed25519+ML-DSA-65' | 'Ed25519+ML-DSA-87';

export function signatureAlgorithmOf(value: string): SignatureAlgorithm {
  const v = value.toLowerCase();
  if (v === 'ed25519') return 'Ed25519';
  const variant = (v.match(/ml-dsa-(44|65|87)$/)?.[1] ?? '65') as '44' | '65' | '87';
  return v.startsWith('ml-dsa') ? `ML-DSA-${variant}` : `Ed25519+ML-DSA-${variant}`;
}

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

export const settings = {
  disabled: setting({
    env: 'AIM_DISABLED',
    schema: bool,
    default: false,
    description: 'Kill switch: `1`/`true` loads nothing but the 4 KB entry file. A value that is not a boolean is warned about (the agent stays on).',
  }),
  logLevel: setting({
    env: 'AIM_LOG_LEVEL',
    schema: z.enum(['silent', 'error', 'warn', 'info', 'debug']),
    default: 'warn' as const,
    description: 'What the agent says on stderr (never stdout): `silent`, `error`, `warn`, `info`, `debug`.',
  }),
  startupLog: setting({
    env: 'AIM_STARTUP_LOG',
    schema: bool,
    default: true,
    description:
      'One line on stderr per process at `info` and `debug` (version, Node, hook mode, where reports go, what is off and why); `false` turns it off.',
  }),
  disabledHooks: setting({
    env: 'AIM_DISABLED_HOOKS',
    schema: list(/^[a-z_:]+$/i, 10),
    default: [] as string[],
    shownDefault: '(none)',
    description:
      'Hook families to leave alone, comma-separated: `fs`, `child_process`, `net`, `http` (with fetch), `sqlite`, `mcp`. What they would have seen is not in the inventory. An unknown name is warned about and ignored.',
  }),
  output: setting({
    env: 'AIM_OUTPUT',
    schema: z.string().check(z.minLength(1)),
    default: '',
    description: 'Directory: each process writes `<pid>.json` in the `aim.inventory/v1` format.',
  }),
  esmLoader: setting({
    env: 'AIM_ESM_LOADER',
    schema: bool,
    default: false,
    description: 'On Node without synchronous module hooks, also register the async ESM loader (about +120 ms).',
  }),
  apiKey: setting({
    env: 'AIM_API_KEY',
    schema: z.string().check(z.regex(/^aim_(live|test)_[A-Za-z0-9_\-=]{8,}$/)),
    default: '',
    description: 'AIM API key (`aim_live_...`). Turns reporting to AIM on.',
    sensitive: true,
    onInvalid: 'disable-reporting',
  }),
  url: setting({
    env: 'AIM_URL',
    aliases: ['AIM_BASE_URL'],
    schema: httpUrl,
    default: 'http://127.0.0.1:8080',
    description: "The AIM server's base URL. The key goes only over https, or http to loopback.",
    onInvalid: 'disable-reporting',
  }),
  agentId: setting({
    env: 'AIM_AGENT_ID',
    schema: z.string().check(z.minLength(1), z.maxLength(255)),
    default: '',
    description: 'The agent in AIM: a UUID, or a name resolved once through the API.',
    onInvalid: 'disable-reporting',
  }),
  environment: setting({
    env: 'AIM_ENVIRONMENT',
    schema: z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,64}$/)),
    default: '',
    description: 'The deployment environment (`production`, `staging`, ...), like `DD_ENV`. Sent to AIM as `environment` in the integration entry\'s details and the registration\'s metadata.',
  }),
  agentVersion: setting({
    env: 'AIM_AGENT_VERSION',
    schema: z.string().check(z.regex(/^[A-Za-z0-9_.+-]{1,64}$/)),
    default: '',
    shownDefault: "(none: the registration carries aim's version)",
    description: 'The version of your agent program, like `DD_VERSION`. Sent to AIM as the registered agent\'s `version` (signed generation) and `deploymentVersion` in the integration entry\'s details.',
  }),
  tags: setting({
    env: 'AIM_TAGS',
    schema: list(/^[A-Za-z0-9_.:\/=-]{1,64}$/, 20),
    default: [] as string[],
    shownDefault: '(none)',
    description: 'Tags for the agent, comma- or space-separated (`team:payments,tier:1`), at most 20 of up to 64 characters, like `DD_TAGS`. Sent as `tags` in the integration entry\'s details and the registration\'s metadata (AIM\'s own tag objects are managed in AIM).',
  }),
  paths: setting({
    env: 'AIM_PATHS',
    schema: z.enum(['first', 'all']),
    default: 'first' as const,
    description:
      'Which file paths and started programs the inventory records: `first` (those of the calls the agent looks at anyway, no extra cost) or `all` (every call, for `aim policy`; costs a lookup per fs call).',
  }),
  allowList: setting({
    env: 'AIM_ALLOWLIST',
    schema: z.string().check(z.minLength(1)),
    default: '',
    description:
      'A local file of the capabilities the program may use (`aim policy --json` output, or a JSON list): a use outside it warns once (`AIM-D001-<capability>`) and goes to AIM as a capability request, never a grant.',
  }),
  reportPotential: setting({
    env: 'AIM_REPORT_POTENTIAL',
    schema: bool,
    default: false,
    description: 'Also report capabilities of packages that were only loaded, never used.',
  }),
  flushTimeoutMs: setting({
    env: 'AIM_FLUSH_TIMEOUT_MS',
    schema: positiveInt(60_000),
    default: 2000,
    description: 'Longest wait at exit for unsent reports (a process younger than 10 s waits at most 500 ms; `0`: never wait, spool only).',
  }),
  heartbeatIntervalS: setting({
    env: 'AIM_HEARTBEAT_INTERVAL_S',
    schema: positiveInt(86_400),
    default: 300,
    description: 'Current AIM: a heartbeat this often (seconds) while the agent runs; the first after one interval, so short processes send none. `0`: off.',
  }),
  spoolDir: setting({
    env: 'AIM_SPOOL_DIR',
    schema: z.string().check(z.minLength(1)),
    default: '',
    shownDefault: '`$XDG_STATE_HOME/aim/spool`, else `~/.local/state/aim/spool`',
    description:
      'Where what a process has not sent to AIM yet is kept (one file per process, current within 100 ms) for the next process of the agent. Used only when it is your own directory (owned by you, writable by nobody else, not a symlink); fleet state sits beside it in `<dir>.state`.',
  }),
  protocol: setting({
    env: 'AIM_PROTOCOL',
    schema: z.enum(['auto', 'signed', 'api-key']),
    default: 'auto' as const,
    description:
      "Which generation of AIM's protocol: `signed` (current AIM: the key registers the agent, every call is signed), `api-key` (older AIM), or `auto` (finds out once, remembers).",
  }),
  agentName: setting({
    env: 'AIM_AGENT_NAME',
    schema: z.string().check(z.minLength(1), z.maxLength(255)),
    default: '',
    shownDefault: "the app's `package.json` name, else the entry file's name",
    description: 'Signed generation: the name to register the agent under.',
  }),
  credentialsFile: setting({
    env: 'AIM_CREDENTIALS_FILE',
    schema: z.string().check(z.minLength(1)),
    default: '',
    shownDefault: '`<config dir>/aim/agents/<name>-<server>.json`',
    description: "Signed generation: the agent's credentials file (mode 0600).",
  }),
  privateKey: setting({
    env: 'AIM_PRIVATE_KEY',
    schema: z.string().check(z.regex(/^[A-Za-z0-9+/=\s]{40,200}$/)),
    default: '',
    description: "Signed generation: the agent's Ed25519 private key (base64), with `AIM_AGENT_ID` as its UUID, instead of a credentials file.",
    sensitive: true,
    onInvalid: 'disable-reporting',
  }),
  signatureAlgorithm: setting({
    env: 'AIM_SIGNATURE_ALGORITHM',
    schema: z.pipe(z.string().check(z.regex(SIGNATURE_ALGORITHM)), z.transform(signatureAlgorithmOf)),
    default: 'Ed25519' as SignatureAlgorithm,
    shownDefault: '`ed25519`',
    description:
      'Signed generation: how requests are signed. `ed25519`; `ml-dsa-44`, `ml-dsa-65`, `ml-dsa-87` (post-quantum, Node 24 and later); `hybrid` (Ed25519 and ML-DSA-65 both, AIM checks both) or `hybrid-ml-dsa-44`/`-65`/`-87`; AIM\'s own names (`ML-DSA-65`, `Ed25519+ML-DSA-65`) too. Where this Node, the credentials or AIM cannot, the next weaker one (hybrid, ML-DSA alone, Ed25519), with one warning ([post-quantum signatures](aim-protocol.md#post-quantum-signatures-ml-dsa-and-hybrid)).',
  }),
  capabilities: setting({
    env: 'AIM_CAPABILITIES',
    schema: z.enum(['grant', 'request', 'off']),
    default: 'grant' as const,
    description: 'What aim does with capabilities AIM does not list yet: `grant` them, file capability `request`s for an administrator, or `off` (MCP servers only).',
  }),
} satisfies Record<string, Setting<unknown>>;

export type Settings = typeof settings;
export type Config = { [K in keyof Settings]: Settings[K]['default'] };
