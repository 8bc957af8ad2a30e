/**
 * Redaction of what a server's launch line, URL or name may carry: tokens in flags (`--token`,
 * `--accessToken`, `-p`), `NAME=value` pairs and connection strings with secret-looking names,
 * credentials in URLs and DSNs, known token shapes wherever they sit, and long random strings.
 * What stays readable on purpose: ports, paths, file names, hashes (hex digests, `sha256:`,
 * `sha512-` integrity), UUIDs and versions; they say what runs, not who may.
 * Pure functions; the only input that ever reaches the inventory is their output.
 */

export const REDACTED = '[REDACTED]';

/** Words that announce a secret: `--token`, `--api-key`, `API_KEY`, `password`, `--clientSecret`. */
const SECRET_WORD =
  /(^|_)(token|secret|password|passwd|pwd|pass|passphrase|apikey|api_key|access_key|auth|authorization|bearer|credentials?|private_key|client_secret|session|cookie|jwt|key|signature|sig)(_|$)/;

/** A last word that says the value names where the secret is, not the secret: `--token-file`, `--api-key-env`. */
const POINTER_WORD = /_(file|path|dir|env|var|name|id|url|header|length|len|ttl|type|prefix|format|mode|count)$/;

/** A flag that says its value is a digest: `--md5 <32 hex digits>` stays readable. */
const DIGEST_FLAG = /^--?(md5|sha\d*|hash|digest|checksum|commit|integrity|etag)$/i;

/** Short flags that take a password or a key in common tools (mysql `-p`, ldapsearch `-w`, ...). */
const SECRET_SHORT_FLAG = /^-[pPkKwW]$/;

/** Well-known credential shapes, found wherever they sit in a value. */
const TOKEN_SHAPES = [
  'sk-[A-Za-z0-9_-]{16,}',
  'sk_(?:live|test)_[A-Za-z0-9]{8,}',
  '[rp]k_(?:live|test)_[A-Za-z0-9]{8,}',
  'gh[pousr]_[A-Za-z0-9]{20,}',
  'github_pat_[A-Za-z0-9_]{20,}',
  'glpat-[A-Za-z0-9_-]{16,}',
  'xox[abpors]-[A-Za-z0-9-]{10,}',
  '(?:AKIA|ASIA)[A-Z0-9]{12,}',
  'AIza[A-Za-z0-9_-]{20,}',
  'aim_(?:live|test)_[A-Za-z0-9_=-]{8,}',
  'npm_[A-Za-z0-9]{30,}',
  'hf_[A-Za-z0-9]{30,}',
  'eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*',
];
const TOKEN_ANYWHERE = new RegExp(`(?<![A-Za-z0-9])(?:${TOKEN_SHAPES.join('|')})`, 'g');
const TOKEN_SOMEWHERE = new RegExp(`(?<![A-Za-z0-9])(?:${TOKEN_SHAPES.join('|')})`);
const TOKEN_WHOLE = new RegExp(`^(?:${TOKEN_SHAPES.join('|')})$`);

/** `Password=...;` in a connection string (ADO.NET, ODBC, Azure): the value up to `;`. */
const CONNECTION_SECRET = /\b(password|pwd|passwd|pass|secret|token|api[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|access[_-]?key)(\s*=\s*)("[^"]*"|'[^']*'|[^;&\s]+)/gi;

/** `user:password@host` without a scheme (Go and mysql DSNs, `redis-cli -u`): the password goes. */
const DSN_USERINFO = /(^|[\s=(])(?!(?:npm|jsr|git|github|file|link|workspace|portal|patch):)([^\s:@/()=]+):([^\s@/]+)@(?=[^\s@]+)/g;

/** Readable shapes that are never secrets, however random they look. */
const READABLE = [
  /^[0-9a-f]{40}$|^[0-9a-f]{64}$|^[0-9a-f]{128}$/i, // sha1 (git commits), sha256, sha512 digests; 32 hex digits are a common API key shape
  /^(sha1|sha256|sha384|sha512|md5)[:-][A-Za-z0-9+/=_-]+$/, // `sha256:...`, npm/SRI `sha512-...`
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, // UUID
  /^v?\d+(\.\d+)*([-+][0-9A-Za-z.-]+)?$/, // versions
];

/** Whether a name (`--api-key`, `GITHUB_TOKEN`, `--accessToken`) says its value is a secret. */
export function isSecretName(name: string): boolean {
  const words = name
    .replace(/^-+/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-.\s]+/g, '_')
    .toLowerCase();
  return SECRET_WORD.test(words) && !POINTER_WORD.test(words);
}

/** Whether a bare value looks like a credential: a known token shape or a long random string. */
export function looksLikeSecret(value: string): boolean {
  if (value.length < 8) return false;
  if (TOKEN_WHOLE.test(value)) return true;
  if (value.length < 20 || READABLE.some((shape) => shape.test(value))) return false;
  if (!/^[A-Za-z0-9_+/=.-]+$/.test(value)) return false;
  // A path or a dotted name is not a random string; a base64 blob (`+`, `=` padding) is.
  if (value.includes('/') && !/[+=]/.test(value)) return false;
  if (/^[0-9a-f]{32,}$/i.test(value) && /[0-9]/.test(value) && /[a-f]/i.test(value)) return true;
  const hasDigit = /[0-9]/.test(value);
  const hasUpper = /[A-Z]/.test(value);
  const hasLower = /[a-z]/.test(value);
  if (!hasDigit || !(hasUpper || hasLower)) return false;
  if (!(hasUpper && hasLower) && value.length < 32) return false;
  return entropy(value) >= 3.5;
}

/** What a short secret flag's value looks like when it is a password: not a port, a path or a word. */
function shortFlagSecret(value: string): boolean {
  if (value.length < 4 || value.startsWith('-')) return false;
  if (/^[\d:/.-]+(\/(tcp|udp))?$/.test(value)) return false; // ports, port maps, addresses
  if (/[/\\~]/.test(value) || /^[\w-]+\.[A-Za-z0-9]{1,5}$/.test(value)) return false; // paths, file names
  if (/^[a-z][a-z-]*$/.test(value)) return false; // a word: a profile, a project, a package
  return true;
}

function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A URL without userinfo, query or fragment (`https://host:8443/mcp`). Returns undefined
 * when the text is not an absolute URL.
 */
export function cleanUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!url.protocol || !url.host) return undefined;
  // A path segment can carry a token too (`/sse/<key>`).
  const path = url.pathname
    .split('/')
    .map((segment) => (looksLikeSecret(decodeURIComponentSafe(segment)) || TOKEN_SOMEWHERE.test(segment) ? REDACTED : redactText(segment)))
    .join('/');
  return `${url.protocol}//${url.host}${path}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Secrets inside free text (a name, a header, a connection string): known token shapes, secret
 * pairs of connection strings, DSN passwords. What is not secret stays as it was.
 */
export function redactText(text: string): string {
  return text.replace(TOKEN_ANYWHERE, REDACTED).replace(CONNECTION_SECRET, `$1$2${REDACTED}`).replace(DSN_USERINFO, `$1$2:${REDACTED}@`);
}

/** One argument, redacted on its own (no look at its neighbours). */
export function redactValue(arg: string): string {
  // A URL: keep scheme, host and path; credentials, query and fragment go.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) return cleanUrl(arg) ?? REDACTED;
  // `-pSECRET` (mysql): a short secret flag with its value attached.
  if (/^-[pPkKwW]./.test(arg) && !arg.startsWith('--') && !arg.includes('=') && shortFlagSecret(arg.slice(2))) return `${arg.slice(0, 2)}${REDACTED}`;
  // `--flag=value` and `NAME=value`.
  const eq = arg.indexOf('=');
  if (eq > 0) {
    const name = arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    if (/^-{0,2}[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
      if (isSecretName(name) && value !== '') return `${name}=${REDACTED}`;
      const inner = redactValue(value);
      return inner === value ? arg : `${name}=${inner}`;
    }
  }
  if (/^(Bearer|Basic|Token|Digest)\s+\S+/i.test(arg)) return REDACTED;
  // `Authorization: Bearer ...` as one header argument.
  const colon = /^([A-Za-z][A-Za-z0-9-]*):\s*(.+)$/.exec(arg);
  if (colon && isSecretName(colon[1]!)) return `${colon[1]}: ${REDACTED}`;
  if (looksLikeSecret(arg)) return REDACTED;
  return redactText(arg);
}

/**
 * The argument list with secrets replaced by `[REDACTED]`: the value after a secret-named flag
 * (`--token abc`, `--accessToken abc`, `-H 'Authorization: ...'`, `-p hunter2`), `--api-key=...`,
 * `API_KEY=...`, connection strings, DSNs, known token shapes, long random strings, and URL
 * credentials and query strings.
 */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = String(args[i]);
    const previous = i > 0 ? String(args[i - 1]) : '';
    if (!arg.startsWith('-') && afterSecretFlag(previous, arg)) {
      out.push(REDACTED);
      continue;
    }
    if (DIGEST_FLAG.test(previous) && /^[0-9a-f]{8,128}$/i.test(arg)) {
      out.push(arg);
      continue;
    }
    out.push(redactValue(arg));
  }
  return out;
}

function afterSecretFlag(flag: string, value: string): boolean {
  if (SECRET_SHORT_FLAG.test(flag)) return shortFlagSecret(value) || looksLikeSecret(value);
  return /^--?[A-Za-z][A-Za-z0-9_.-]*$/.test(flag) && isSecretName(flag);
}

/** The command itself: a path or a name; only a credential-shaped value is hidden. */
export function redactCommand(command: string): string {
  return looksLikeSecret(command) ? REDACTED : redactText(command);
}
