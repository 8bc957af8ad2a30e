/**
 * Redaction of what a server's launch line or URL may carry: tokens in flags, `NAME=value` pairs
 * with secret-looking names, long random strings, URL credentials and query strings.
 * Pure functions; the only input that ever reaches the inventory is their output.
 */

export const REDACTED = '[REDACTED]';

/** A flag or variable name that announces a secret: `--token`, `--api-key`, `API_KEY`, `password`. */
const SECRET_NAME =
  /(^|[-_.])(token|secret|password|passwd|pwd|pass|api[-_]?key|apikey|access[-_]?key|auth|authorization|bearer|credentials?|private[-_]?key|client[-_]?secret|session|cookie|jwt|key)([-_.]|$)/i;

/** Well-known credential shapes, whatever their length or context. */
const KNOWN_TOKEN =
  /^(sk-[A-Za-z0-9_-]{8,}|sk_(live|test)_[A-Za-z0-9]{8,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,}|xox[abpors]-[A-Za-z0-9-]{10,}|AKIA[A-Z0-9]{12,}|AIza[A-Za-z0-9_-]{20,}|aim_(live|test)_[A-Za-z0-9_=-]{8,}|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|Bearer\s+\S+)$/;

/** Whether a name (`--api-key`, `GITHUB_TOKEN`) says its value is a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/^-+/, ''));
}

/** Whether a bare value looks like a credential: a known token shape or a long random string. */
export function looksLikeSecret(value: string): boolean {
  if (value.length < 8) return false;
  if (KNOWN_TOKEN.test(value)) return true;
  if (value.length < 20) return false;
  // Paths, package specs, URLs and dotted names are not random strings.
  if (/[/\\:@ ]/.test(value) && !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  if (!/^[A-Za-z0-9_+/=.-]+$/.test(value)) return false;
  if (/^[0-9a-f]{32,}$/i.test(value) && /[0-9]/.test(value) && /[a-f]/i.test(value)) return true;
  const hasDigit = /[0-9]/.test(value);
  const hasUpper = /[A-Z]/.test(value);
  const hasLower = /[a-z]/.test(value);
  if (!hasDigit || !(hasUpper || hasLower)) return false;
  if (!(hasUpper && hasLower) && value.length < 32) return false;
  return entropy(value) >= 3.5;
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
    .map((segment) => (looksLikeSecret(decodeURIComponentSafe(segment)) ? REDACTED : segment))
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

/** One argument, redacted on its own (no look at its neighbours). */
export function redactValue(arg: string): string {
  // A URL: keep scheme, host and path; credentials, query and fragment go.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) return cleanUrl(arg) ?? REDACTED;
  // `--flag=value` and `NAME=value`.
  const eq = arg.indexOf('=');
  if (eq > 0) {
    const name = arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    if (/^-{0,2}[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
      if (isSecretName(name)) return `${name}=${REDACTED}`;
      const inner = redactValue(value);
      return inner === value ? arg : `${name}=${inner}`;
    }
  }
  if (/^(Bearer|Basic|Token)\s+\S+/i.test(arg)) return REDACTED;
  // `Authorization: Bearer ...` as one header argument.
  const colon = /^([A-Za-z][A-Za-z0-9-]*):\s*(.+)$/.exec(arg);
  if (colon && isSecretName(colon[1]!)) return `${colon[1]}: ${REDACTED}`;
  if (looksLikeSecret(arg)) return REDACTED;
  return arg;
}

/**
 * The argument list with secrets replaced by `[REDACTED]`: the value after a secret-named flag
 * (`--token abc`, `-H 'Authorization: ...'`), `--api-key=...`, `API_KEY=...`, known token shapes,
 * long random strings, and URL credentials/query strings.
 */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = String(args[i]);
    const previous = i > 0 ? String(args[i - 1]) : '';
    if (/^--?[A-Za-z][A-Za-z0-9_.-]*$/.test(previous) && isSecretName(previous) && !arg.startsWith('-')) {
      out.push(REDACTED);
      continue;
    }
    out.push(redactValue(arg));
  }
  return out;
}

/** The command itself: a path or a name; only a credential-shaped value is hidden. */
export function redactCommand(command: string): string {
  return looksLikeSecret(command) ? REDACTED : command;
}
