/**
 * Text from the observed program (argv, paths, package names, MCP server names, URLs) on its way
 * to a terminal: control characters (C0, DEL, C1, which carry escape sequences that can move the
 * cursor, rewrite the screen or set the window title) become visible `\xNN` / `\uNNNN`, and
 * the text is cut to `maxLength` characters with an ellipsis.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string, maxLength = Infinity): string {
  const visible = text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return visible.length > maxLength ? `${visible.slice(0, Math.max(0, maxLength - 1))}…` : visible;
}
