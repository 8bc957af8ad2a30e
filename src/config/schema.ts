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

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

export const settings = {
  disabled: setting({
    env: 'AIM_DISABLED',
    schema: bool,
    default: false,
    description: 'Kill switch: `1`/`true` loads nothing but the entry file.',
  }),
  logLevel: setting({
    env: 'AIM_LOG_LEVEL',
    schema: z.enum(['silent', 'error', 'warn', 'info', 'debug']),
    default: 'warn' as const,
    description: 'What the agent says on stderr (never stdout): silent, error, warn, info, debug.',
  }),
  output: setting({
    env: 'AIM_OUTPUT',
    schema: z.string().check(z.minLength(1)),
    default: '',
    description: 'Directory: each process writes `<pid>.json` (format `aim.inventory/v1`).',
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
    description: 'Longest wait at exit for unsent reports, in milliseconds.',
  }),
  spoolDir: setting({
    env: 'AIM_SPOOL_DIR',
    schema: z.string().check(z.minLength(1)),
    default: '',
    description: 'Where reports unsent at exit wait for the next run of the agent (default `<tmpdir>/aim-spool-<uid>`).',
  }),
  protocol: setting({
    env: 'AIM_PROTOCOL',
    schema: z.enum(['auto', 'signed', 'api-key']),
    default: 'auto' as const,
    description:
      "Which generation of AIM's protocol: `signed` (current AIM: the key registers the agent, every call is signed), `api-key` (older AIM), or `auto` (asks once, remembers).",
  }),
  agentName: setting({
    env: 'AIM_AGENT_NAME',
    schema: z.string().check(z.minLength(1), z.maxLength(255)),
    default: '',
    description: "Signed generation: the name to register the agent under (default: the app's package.json name, else the entry file's name).",
  }),
  credentialsFile: setting({
    env: 'AIM_CREDENTIALS_FILE',
    schema: z.string().check(z.minLength(1)),
    default: '',
    description: "Signed generation: the agent's credentials file, mode 0600 (default `<config dir>/aim/agents/<name>-<server>.json`).",
  }),
  privateKey: setting({
    env: 'AIM_PRIVATE_KEY',
    schema: z.string().check(z.regex(/^[A-Za-z0-9+/=\s]{40,200}$/)),
    default: '',
    description: "Signed generation: the agent's Ed25519 private key (base64), with AIM_AGENT_ID as its UUID, instead of a credentials file.",
    sensitive: true,
    onInvalid: 'disable-reporting',
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
