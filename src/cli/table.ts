import type { Capability, Evidence, InventorySnapshot, MergedInventory } from '../inventory/index.js';
import { printable } from '../platform/index.js';

/**
 * `aim inspect`'s table: one section per process of the tree, in tree order, each saying what it
 * is (the app, a child, an MCP server it started, a launcher such as npm), then its capabilities
 * with the evidence grouped by who (the app's own `readFileSync at app.ts:2` is never hidden behind
 * a dependency's `statSync`). Long cells wrap within the terminal's width.
 */
export function renderTable(merged: MergedInventory, snapshots: InventorySnapshot[], width = terminalWidth()): string {
  const lines: string[] = ['', `aim inspect: ${count(snapshots.length, 'node process', 'node processes')}`];
  const roles = rolesOf(snapshots, merged);
  for (const { snapshot, depth } of treeOrder(snapshots)) {
    lines.push('', ...processSection(snapshot, roles.get(snapshot.process.pid)!, depth, width));
  }
  lines.push('', `MCP servers: ${merged.mcpServers.length === 0 ? 'none seen' : ''}`);
  for (const s of merged.mcpServers) {
    const target = s.url ?? [s.command, ...(s.args ?? [])].filter(Boolean).join(' ');
    const info = s.serverInfo ? ` ${s.serverInfo.name}@${s.serverInfo.version ?? '?'}` : '';
    lines.push(...wrap(printable(`  ${s.name} (${s.transport}, ${s.detectionMethod}${s.failed ? ', failed' : ''})${info}  ${target}`, CELL_MAX), width, 4));
    if (s.toolsCalled?.length) lines.push(...wrap(printable(`    tools called: ${s.toolsCalled.join(', ')}`, CELL_MAX), width, 6));
  }
  lines.push('', `Risk signals: ${merged.risks.length === 0 ? 'none' : ''}`);
  for (const r of merged.risks) {
    const where = `${r.who}${r.api ? `, ${r.api}` : ''}${r.location ? ` at ${shorten(r.location)}` : ''}`;
    lines.push(...wrap(printable(`  ${r.severity.padEnd(8)}  ${r.kind.padEnd(19)}  ${r.label}: ${r.subject}  (${where})`, CELL_MAX), width, 4));
  }
  lines.push('');
  return lines.join('\n');
}

/** Every cell from the program (argv, paths, names) is made printable before it is measured. */
const CELL_MAX = 2000;

type Role = 'app' | 'child' | 'MCP server' | 'launcher';

function processSection(snapshot: InventorySnapshot, role: Role, depth: number, width: number): string[] {
  const p = snapshot.process;
  const indent = '  '.repeat(depth);
  const what = role === 'launcher' ? `launcher ${p.launcher}` : role;
  const command = printable(p.argv.slice(1).map((a) => shorten(a)).join(' ') || p.entry || '', CELL_MAX);
  const header = `${indent}${what}, pid ${p.pid}: node ${command}  (Node ${p.node}, hooks ${snapshot.agent.hookMode}${snapshot.agent.visibility === 'full' ? '' : `, ${snapshot.agent.visibility}`})`;
  const lines = wrap(header, width, indent.length + 4);
  if (role === 'launcher') return [...lines, `${indent}  (a launcher's own file and process activity is not the program's: not counted)`];
  if (snapshot.capabilities.length === 0) return [...lines, `${indent}  (no capabilities seen)`];
  return [...lines, ...capabilityTable(snapshot.capabilities, indent, width)];
}

const HEADERS = ['CAPABILITY', 'STRENGTH', 'CONF', 'WHO', 'EVIDENCE'];
const WHO_WIDTH = 24;

/** Capabilities whose every piece of evidence is worth a line: each command run is its own fact. */
const EVERY_EVIDENCE: ReadonlySet<string> = new Set(['system:exec']);
const MAX_LINES_PER_WHO = 5;

/** One row per capability and who: that who's first evidence and how many more (every command for system:exec). */
function capabilityTable(capabilities: Capability[], indent: string, width: number): string[] {
  const rows: string[][] = [];
  for (const c of capabilities) {
    let first = true;
    for (const [who, evidence] of byWho(c.evidence)) {
      const usedFirst = [...evidence].sort((a, b) => (a.strength === b.strength ? 0 : a.strength === 'used' ? -1 : 1));
      const shown = EVERY_EVIDENCE.has(c.id) ? usedFirst.slice(0, MAX_LINES_PER_WHO) : [evidence.find((e) => e.strength === 'used') ?? evidence[0]!];
      shown.forEach((e, i) => {
        const more = i === shown.length - 1 && evidence.length > shown.length ? ` (+${evidence.length - shown.length} more)` : '';
        rows.push([first ? c.id : '', e.strength, first ? String(c.confidence) : '', i === 0 ? printable(who, 214) : '', printable(`${describe(e)}${more}`, CELL_MAX)]);
        first = false;
      });
    }
  }
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  widths[3] = Math.min(WHO_WIDTH, widths[3]!);
  widths[4] = Math.max(30, width - indent.length - 2 - widths.slice(0, 4).reduce((a, b) => a + b + 2, 0));
  return [HEADERS, ...rows].flatMap((row) => formatRow(row, widths, `${indent}  `));
}

/** The app first, then the packages by name; each with its evidence in the order seen. */
function byWho(evidence: Evidence[]): [string, Evidence[]][] {
  const groups = new Map<string, Evidence[]>();
  for (const e of evidence) groups.set(e.who, [...(groups.get(e.who) ?? []), e]);
  return [...groups].sort(([a], [b]) => (a === 'app' ? -1 : b === 'app' ? 1 : a.localeCompare(b)));
}

function describe(e: Evidence): string {
  const command = e.details?.command?.split(' ').map(shorten).join(' ');
  const what = command ? `${command}${e.details?.shell === 'true' ? ' (through a shell)' : e.details?.shell === 'false' ? ' (no shell)' : ''} via ${e.api}` : e.api;
  return `${what}${e.location ? ` at ${shorten(e.location)}` : ''}`;
}

/** Cells wider than their column continue on the next lines, in the same column. */
function formatRow(row: string[], widths: number[], prefix: string): string[] {
  const cells = row.map((cell, i) => chunks(cell, widths[i]!));
  const height = Math.max(...cells.map((c) => c.length));
  const out: string[] = [];
  for (let line = 0; line < height; line++) {
    const text = cells.map((c, i) => (i === cells.length - 1 ? (c[line] ?? '') : (c[line] ?? '').padEnd(widths[i]!))).join('  ');
    out.push(`${prefix}${text}`.trimEnd());
  }
  return out;
}

/** Splits at spaces, slashes or commas when it can, else hard, into pieces at most `width` long. */
function chunks(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const window = rest.slice(0, width + 1);
    const inside = window.slice(0, width);
    const cut = Math.max(window.lastIndexOf(' '), inside.lastIndexOf('/') + 1, inside.lastIndexOf(',') + 1);
    const at = cut > width / 3 ? cut : width;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  out.push(rest);
  return out;
}

function wrap(line: string, width: number, continuation: number): string[] {
  const [first, ...more] = chunks(line, width);
  return [first!, ...more.flatMap((m) => chunks(m, width - continuation).map((c) => `${' '.repeat(continuation)}${c}`))];
}

/**
 * What each process is. A launcher says so itself; a child started by a process that talks to a
 * stdio MCP server, whose command line holds that server's command or arguments, is that server;
 * the first process that is neither is the app, and the rest are its children.
 */
function rolesOf(snapshots: InventorySnapshot[], merged: MergedInventory): Map<number, Role> {
  const roles = new Map<number, Role>();
  const byPid = new Map(snapshots.map((s) => [s.process.pid, s]));
  const stdioServers = merged.mcpServers.filter((s) => s.transport === 'stdio');
  let appSeen = false;
  for (const { snapshot } of treeOrder(snapshots)) {
    const p = snapshot.process;
    if (p.launcher) roles.set(p.pid, 'launcher');
    else if (stdioServers.some((s) => startedBy(p.ppid, s.pids, byPid) && servesAs(p.argv, s.command, s.args))) roles.set(p.pid, 'MCP server');
    else roles.set(p.pid, appSeen ? 'child' : 'app');
    if (roles.get(p.pid) === 'app') appSeen = true;
  }
  return roles;
}

/** Whether one of `clients` is the parent, or a launcher in between (npx starting the server). */
function startedBy(ppid: number, clients: number[], byPid: Map<number, InventorySnapshot>): boolean {
  let pid: number | undefined = ppid;
  for (let hops = 0; pid !== undefined && hops < 4; hops++) {
    if (clients.includes(pid)) return true;
    const parent = byPid.get(pid);
    pid = parent?.process.launcher ? parent.process.ppid : undefined;
  }
  return false;
}

function servesAs(argv: string[], command: string | undefined, args: string[] | undefined): boolean {
  const words = [command, ...(args ?? [])].filter((w): w is string => Boolean(w) && !w!.startsWith('-') && !/^(node|npx|npm)$/.test(basename(w!)));
  return words.some((w) => argv.some((a) => a === w || a.endsWith(`/${basename(w)}`) || a.includes(`/${w}/`)));
}

/** Roots first (a parent outside the tree), then each process's children, depth-first. */
function treeOrder(snapshots: InventorySnapshot[]): { snapshot: InventorySnapshot; depth: number }[] {
  const sorted = [...snapshots].sort((a, b) => a.process.pid - b.process.pid);
  const pids = new Set(sorted.map((s) => s.process.pid));
  const out: { snapshot: InventorySnapshot; depth: number }[] = [];
  const visit = (s: InventorySnapshot, depth: number): void => {
    out.push({ snapshot: s, depth });
    for (const child of sorted) if (child.process.ppid === s.process.pid && child !== s) visit(child, depth + 1);
  };
  for (const root of sorted.filter((s) => !pids.has(s.process.ppid))) visit(root, 0);
  return out;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function shorten(location: string): string {
  const cwd = process.cwd();
  return location.startsWith(`${cwd}/`) ? location.slice(cwd.length + 1) : location;
}

function terminalWidth(): number {
  const columns = process.stdout.columns;
  return columns && columns >= 60 ? columns : 120;
}
