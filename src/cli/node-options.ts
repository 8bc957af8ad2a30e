/**
 * NODE_OPTIONS editing for `aim run` (and the same rules as bin/aim-entrypoint).
 *
 * Node splits NODE_OPTIONS with its own small parser (src/node_options.cc,
 * ParseNodeOptionsEnvVar), not with a shell:
 *   - only the space character separates arguments (a tab does not);
 *   - a double quote opens or closes a quoted part, anywhere in a word;
 *   - inside quotes a backslash escapes the next character; outside quotes it is literal.
 * `parseNodeOptions` mirrors it and `quoteNodeOption` produces text it reads back unchanged.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package specifier users write for the agent. */
export const REGISTER_SPECIFIER = 'aim/register';

/** Splits a NODE_OPTIONS value the way Node does. Never throws; a dangling quote ends the value. */
export function parseNodeOptions(value: string): string[] {
  const out: string[] = [];
  let inString = false;
  let startNew = true;
  for (let i = 0; i < value.length; i++) {
    let c = value[i] as string;
    if (c === '\\' && inString) {
      if (i + 1 === value.length) break; // Node: "invalid escape"
      c = value[++i] as string;
    } else if (c === ' ' && !inString) {
      startNew = true;
      continue;
    } else if (c === '"') {
      inString = !inString;
      continue;
    }
    if (startNew) {
      out.push(c);
      startNew = false;
    } else {
      out[out.length - 1] += c;
    }
  }
  return out;
}

/** Quotes one argument for NODE_OPTIONS when it needs it (a space or a double quote in it). */
export function quoteNodeOption(arg: string): string {
  if (!/[ "]/.test(arg)) return arg;
  return `"${arg.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
}

const PRELOAD_FLAGS = new Set(['--import', '--require', '-r']);

/** The preload specifiers (`--import X`, `--require=X`, `-r X`) in a parsed NODE_OPTIONS. */
export function preloadSpecifiers(args: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (PRELOAD_FLAGS.has(arg)) {
      const next = args[i + 1];
      if (next !== undefined) found.push(next);
      i++;
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0 && PRELOAD_FLAGS.has(arg.slice(0, eq))) found.push(arg.slice(eq + 1));
  }
  return found;
}

function toPath(specifier: string): string | undefined {
  if (specifier.startsWith('file:')) {
    try {
      return fileURLToPath(specifier);
    } catch {
      return undefined;
    }
  }
  return path.isAbsolute(specifier) ? specifier : undefined;
}

/**
 * True when `specifier` loads aim's register: the package specifier (`aim/register`), the given
 * file (as a path or a file: URL), or its ESM/CJS sibling in the same directory (register.mjs and
 * register.cjs are the same agent).
 */
export function isAimRegister(specifier: string, registerPath: string): boolean {
  if (specifier === REGISTER_SPECIFIER) return true;
  const asPath = toPath(specifier);
  if (asPath === undefined) return false;
  const a = path.resolve(asPath);
  const b = path.resolve(registerPath);
  if (a === b) return true;
  const stem = (p: string) => path.join(path.dirname(p), path.basename(p).replace(/\.(mjs|cjs|js)$/, ''));
  return /\.(mjs|cjs|js)$/.test(a) && /\.(mjs|cjs|js)$/.test(b) && stem(a) === stem(b);
}

/**
 * What to put after `--import` for a file: the absolute path itself, or its file: URL when the path
 * holds characters the ESM resolver reads as URL syntax (`%`, `#`, `?`, and a backslash, which it
 * turns into `/`): `--import /srv/app#1/x.mjs` fails, `--import file:///srv/app%231/x.mjs` works. (A path with
 * a backslash cannot be imported at all: Node refuses an encoded backslash in a file: URL.)
 */
export function importSpecifier(file: string): string {
  return /[%#?\\]/.test(file) ? pathToFileURL(file).href : file;
}

/**
 * The NODE_OPTIONS text that preloads `registerPath`: `--import <path or file URL>` for the ESM door
 * (register.mjs), `--require <path>` for the CommonJS one (register.cjs). Both load the same agent.
 * They differ in one way that matters: any `--import` makes Node load the main entry through the
 * ESM loader, which ignores `require.extensions`, so `node -r ts-node/register app.ts` (and the
 * `ts-node` binary, `@babel/register`, ...) fails with ERR_UNKNOWN_FILE_EXTENSION under `--import`
 * and works under `--require`.
 */
export function preloadOption(registerPath: string): string {
  if (/\.cjs$/.test(registerPath)) return `--require ${quoteNodeOption(registerPath)}`;
  return `--import ${quoteNodeOption(importSpecifier(registerPath))}`;
}

/**
 * A copy of `env` whose NODE_OPTIONS also preloads the agent (`--import <registerPath>`, or
 * `--require` for a .cjs register: see `preloadOption`), appended after what is there. Unchanged
 * (but copied) when aim's register is already preloaded there.
 */
export function withAgentPreloaded(env: NodeJS.ProcessEnv, registerPath: string): NodeJS.ProcessEnv {
  const copy: NodeJS.ProcessEnv = { ...env };
  const current = env.NODE_OPTIONS ?? '';
  if (preloadSpecifiers(parseNodeOptions(current)).some((s) => isAimRegister(s, registerPath))) return copy;
  const flag = preloadOption(registerPath);
  copy.NODE_OPTIONS = current.trim() === '' ? flag : `${current.replace(/ +$/, '')} ${flag}`;
  return copy;
}
