import { settings, type Setting } from './schema.js';

/**
 * The configuration table of docs/configuration.md, from the schema: the doc cannot drift from
 * what the agent reads (test/config.test.ts compares them; AIM_UPDATE_DOCS=1 rewrites the doc).
 */
export function configurationTable(): string {
  const rows = (Object.values(settings) as Setting<unknown>[]).map((s) => {
    const names = [`\`${s.env}\``, ...(s.aliases ?? []).map((a) => `(alias \`${a}\`)`)].join(' ');
    const meaning = `${s.description}${s.sensitive ? ' Never logged.' : ''}${s.onInvalid === 'disable-reporting' ? ' A bad value turns reporting off.' : ''}`;
    return `| ${names} | ${shownDefault(s)} | ${meaning.replace(/\|/g, '\\|')} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

function shownDefault(s: Setting<unknown>): string {
  if (s.shownDefault) return s.shownDefault;
  if (s.default === '' || (Array.isArray(s.default) && s.default.length === 0)) return '(none)';
  return `\`${String(s.default)}\``;
}
