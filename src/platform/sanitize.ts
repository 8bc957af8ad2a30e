/**
 * Text from the observed program (argv, paths, package names, MCP server names, URLs) on its way
 * to a terminal: control characters (C0, DEL, C1, which carry escape sequences that can move the
 * cursor, rewrite the screen or set the window title) become visible `\xNN` / `\uNNNN`, and
 * the text is cut to `maxLength` characters with an ellipsis.
 */
import { redactText } from './redact.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string, maxLength = Infinity): string {
  const visible = text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return visible.length > maxLength ? `${visible.slice(0, Math.max(0, maxLength - 1))}…` : visible;
}

/** Several lines for a terminal (a report that quotes an answer): each line printable, line breaks kept. */
export function sanitizeLines(text: string, maxPerLine = 1000): string {
  return text
    .split(/\r?\n/)
    .map((line) => printable(line, maxPerLine))
    .join('\n');
}

/*
 * Names that enter the inventory (an MCP server's serverInfo, tool names, `.mcp.json` keys) are
 * kept and sent to AIM, not only printed: there control characters are removed rather than shown
 * (a name stays a name), tabs and line breaks become spaces, the length is bounded, and a
 * credential inside a name is redacted.
 */
const LINE_BREAKS = /[\t\n\r\v\f\u0085\u2028\u2029]+/g;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Quick test before any replace: nearly every value is clean. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The longest value printed or sent, unless the caller asks for another bound. */
export const MAX_TEXT = 200;
/** Launch lines, URLs and paths are longer than names, still bounded. */
export const MAX_LAUNCH_TEXT = 1000;
/** A server's own description is kept up to this many characters (AIM's record takes 1000). */
const MAX_DESCRIPTION = 1000;
/** A server's tool list is kept up to this many names. */
const MAX_TOOLS = 256;

/** `text` without control characters, at most `max` characters (cut with `…`). */
export function sanitize(text: unknown, max = MAX_TEXT): string {
  let out = typeof text === 'string' ? text : String(text);
  if (UNSAFE.test(out)) out = out.replace(LINE_BREAKS, ' ').replace(CONTROLS, '');
  if (out.length <= max) return out;
  // Cut between code points, never inside a surrogate pair.
  const cut = /[\ud800-\udbff]/.test(out[max - 2] ?? '') ? max - 2 : max - 1;
  return `${out.slice(0, Math.max(0, cut))}…`;
}


/**
 * A name that came from outside (a server's serverInfo, a tool, a `.mcp.json` key) as aim keeps,
 * prints and sends it: sanitized, bounded, and with any credential in it redacted.
 */
export function cleanName(text: unknown, max = MAX_TEXT): string {
  return redactText(sanitize(text, max));
}

/** What a hook or a config file says about an MCP server (the fields others control). */
interface ServerText {
  key: string;
  name?: string;
  serverInfo?: { name: string; version?: string; title?: string; description?: string; websiteUrl?: string };
  protocolVersion?: string;
  command?: string;
  args?: string[];
  url?: string;
  cwd?: string;
  tools?: string[];
}

/**
 * A server's facts as they may enter the inventory: every name, version, tool and launch word
 * sanitized, bounded and redacted (the one place both the MCP hooks and the config scan use).
 */
export function cleanServerFacts<T extends ServerText>(facts: T): T {
  const clean: T = { ...facts, key: cleanName(facts.key, MAX_LAUNCH_TEXT) };
  if (facts.name !== undefined) clean.name = cleanName(facts.name);
  if (facts.serverInfo) {
    clean.serverInfo = { name: cleanName(facts.serverInfo.name) };
    const info = facts.serverInfo;
    if (info.version !== undefined) clean.serverInfo.version = cleanName(info.version, 64);
    // What a server says of itself: one line each, bounded, credentials redacted; a website only as an http(s) URL.
    if (info.title) clean.serverInfo.title = cleanName(info.title);
    if (info.description) clean.serverInfo.description = cleanName(info.description, MAX_DESCRIPTION);
    const site = info.websiteUrl ? cleanName(info.websiteUrl, MAX_LAUNCH_TEXT) : '';
    if (/^https?:\/\/[^\s/]/i.test(site) && !site.endsWith('…')) clean.serverInfo.websiteUrl = site;
  }
  if (facts.protocolVersion !== undefined) clean.protocolVersion = cleanName(facts.protocolVersion, 64);
  if (facts.command !== undefined) clean.command = cleanName(facts.command, MAX_LAUNCH_TEXT);
  if (facts.args) clean.args = facts.args.slice(0, 100).map((arg) => cleanName(arg, MAX_LAUNCH_TEXT));
  if (facts.url !== undefined) clean.url = cleanName(facts.url, MAX_LAUNCH_TEXT);
  if (facts.cwd !== undefined) clean.cwd = cleanName(facts.cwd, MAX_LAUNCH_TEXT);
  if (facts.tools) clean.tools = facts.tools.slice(0, MAX_TOOLS).map((tool) => cleanName(tool));
  return clean;
}
