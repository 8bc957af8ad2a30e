import type { MergedInventory } from '../inventory/index.js';

/** The merged inventory as a few readable tables for a terminal. */
export function renderTable(merged: MergedInventory): string {
  const lines: string[] = ['', 'aim inspect: what this program can do', ''];
  if (merged.capabilities.length === 0) lines.push('  (no capabilities seen)');
  else {
    lines.push(
      ...columns([
        ['CAPABILITY', 'STRENGTH', 'CONF', 'WHO', 'EVIDENCE'],
        ...merged.capabilities.map((c) => {
          const first = c.evidence.find((e) => e.strength === c.strength) ?? c.evidence[0];
          const who = [...new Set(c.evidence.map((e) => e.who))].join(', ');
          const where = first ? `${first.api}${first.location ? ` at ${shorten(first.location)}` : ''}` : '';
          return [c.id, c.strength, String(c.confidence), who, where];
        }),
      ]),
    );
  }
  lines.push('', `MCP servers: ${merged.mcpServers.length === 0 ? 'none seen' : ''}`);
  for (const s of merged.mcpServers) {
    const target = s.url ?? [s.command, ...(s.args ?? [])].filter(Boolean).join(' ');
    const info = s.serverInfo ? ` ${s.serverInfo.name}@${s.serverInfo.version ?? '?'}` : '';
    lines.push(`  ${s.name} (${s.transport}, ${s.detectionMethod}${s.failed ? ', failed' : ''})${info}  ${target}`);
    if (s.toolsCalled?.length) lines.push(`    tools called: ${s.toolsCalled.join(', ')}`);
  }
  lines.push('', 'Processes:');
  for (const p of merged.processes) {
    const role = p.launcher ? ` [launcher: ${p.launcher}]` : '';
    lines.push(`  ${p.pid} ${p.node} ${p.hookMode}/${p.visibility}${role}  ${p.entry ?? p.argv.join(' ')}`);
  }
  lines.push('');
  return lines.join('\n');
}

function columns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.min(60, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

function shorten(location: string): string {
  const cwd = process.cwd();
  return location.startsWith(`${cwd}/`) ? location.slice(cwd.length + 1) : location;
}
