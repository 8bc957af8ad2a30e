/**
 * From inventories to Node's permission model: which `--allow-*` flags a program needs to do what
 * it was seen doing, as narrow as the evidence allows. Pure: the CLI reads the files and prints.
 */
import { absolutePath, type InventorySnapshot, type PathEntry } from '../inventory/index.js';

/** Files of one directory that make the directory the grant (and directories of one parent). */
const COLLAPSE_AT = 4;

export interface Grant {
  /** Absolute path; a directory covers everything under it; a trailing `*` is a name prefix. */
  path: string;
  /** Why it is there: `entry`, `3 module files`, `fs.readFileSync by app`, `12 packages`. */
  why: string;
}

export interface NodeTarget {
  version: string;
  major: number;
  /** `--permission`, or `--experimental-permission` before 22.13 / 23.5. */
  permissionFlag: string;
  /** Whether this Node gates the network (`--allow-net`, Node 25+). */
  gatesNet: boolean;
  gatesAddons: boolean;
  gatesWasi: boolean;
}

export interface Policy {
  schema: 'aim.policy/v1';
  node: NodeTarget;
  fsRead: Grant[];
  fsWrite: Grant[];
  childProcess: boolean;
  worker: boolean;
  addons: boolean;
  wasi: boolean;
  /** The network was used: `--allow-net` where Node gates it. */
  net: boolean;
  /** The flags, in order, without the node binary, the entry or its arguments. */
  flags: string[];
  /** The program: its entry and arguments (secrets in them were redacted by the agent). */
  entry?: string;
  args: string[];
  /** Things the reader must know: partial visibility, redacted arguments, `*` grants. */
  notes: string[];
  /** AIM's view of the same: the capabilities the program used, as a grant allow-list. */
  aim: { capabilities: string[] };
}

/** Which flags the Node `version` (`v24.1.0`, `22`, `26.0.0`) takes. */
export function nodeTarget(version: string): NodeTarget {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, '').split('.').map(Number);
  const at = (a: number, b: number, c: number) => minor > b || (minor === b && patch >= c) || major > a;
  const stable = major >= 24 || (major === 23 && at(23, 5, 0)) || (major === 22 && at(22, 13, 0));
  return {
    version: `v${major}.${minor}.${patch}`,
    major,
    permissionFlag: stable ? '--permission' : '--experimental-permission',
    gatesNet: major >= 25,
    gatesAddons: major > 21 || (major === 21 && minor >= 6) || (major === 20 && minor >= 12),
    gatesWasi: major > 22 || (major === 22 && minor >= 3) || (major === 20 && minor >= 16),
  };
}

/** The processes that are the program: not npm, npx or another launcher in front of it. */
function programProcesses(snapshots: InventorySnapshot[]): InventorySnapshot[] {
  return [...snapshots].filter((s) => !s.process.launcher).sort((a, b) => a.process.pid - b.process.pid);
}

/** The program's first process: the one no other program process started. */
function rootOf(programs: InventorySnapshot[]): InventorySnapshot | undefined {
  const pids = new Set(programs.map((s) => s.process.pid));
  return programs.find((s) => !pids.has(s.process.ppid)) ?? programs[0];
}

const NET_CAPABILITIES = new Set(['network:connect', 'network:listen', 'api:call', 'ai:model_call']);

export function buildPolicy(snapshots: InventorySnapshot[], options: { node?: string; home: string }): Policy | string {
  const programs = programProcesses(snapshots);
  const root = rootOf(programs);
  if (!root) return 'no program process in these inventories (only launchers, or none)';
  const node = nodeTarget(options.node ?? root.process.node);
  if (node.major < 20) return `Node ${node.version} has no permission model (Node 20 and later have one)`;
  const notes: string[] = [];
  const used = new Set(programs.flatMap((s) => s.capabilities.filter((c) => c.strength === 'used').map((c) => c.id)));
  const features = new Set(programs.flatMap((s) => s.runtimeFeatures ?? []));
  const paths = underPrefixes(programs.flatMap((s) => (s.paths ?? []).map((p) => ({ ...p, path: absolutePath(p.path, options.home) }))));
  const truncated = programs.some((s) => s.pathsTruncated);
  const entries = programs.map((s) => s.process.entry).filter((e): e is string => Boolean(e));

  const fsRead = truncated ? everything('read', notes) : readGrants(paths, entries, programs, notes, options.home);
  const fsWrite = truncated ? everything('write', notes) : collapse(paths.filter((p) => p.access === 'write'), options.home);
  const policy: Policy = {
    schema: 'aim.policy/v1',
    node,
    fsRead,
    fsWrite,
    childProcess: used.has('system:exec'),
    worker: features.has('worker'),
    addons: features.has('addon'),
    wasi: features.has('wasi'),
    net: [...used].some((id) => NET_CAPABILITIES.has(id)),
    flags: [],
    args: root.process.argv.slice(2),
    notes,
    aim: { capabilities: [...used].sort() },
  };
  if (root.process.entry) policy.entry = root.process.entry;
  policy.flags = flagsOf(policy, notes);
  addNotes(policy, programs, root, notes);
  return policy;
}

/**
 * Names made by mkdtemp differ on every run: a path under such a prefix is granted as the prefix
 * (`/out/scratch-*`), for reading as for writing.
 */
function underPrefixes(paths: PathEntry[]): PathEntry[] {
  const prefixes = paths.filter((p) => p.form === 'prefix').map((p) => p.path);
  return paths.map((p) => {
    const prefix = p.form ? undefined : prefixes.find((x) => p.path.startsWith(x));
    return prefix ? { ...p, path: prefix, form: 'prefix' as const } : p;
  });
}

function everything(what: string, notes: string[]): Grant[] {
  notes.push(`more distinct paths were touched than an inventory keeps: --allow-fs-${what}=* grants every path; narrow it by hand`);
  return [{ path: '*', why: 'more paths than an inventory keeps' }];
}

/** What Node reads to load the program (entry, its own modules, package directories) and what it read. */
function readGrants(paths: PathEntry[], entries: string[], programs: InventorySnapshot[], notes: string[], home: string): Grant[] {
  const loads: PathEntry[] = entries.map((path) => ({ path, access: 'load', api: 'entry' }));
  loads.push(...paths.filter((p) => p.access === 'load'));
  if (programs.some((s) => s.agent.visibility.startsWith('partial:esm'))) {
    // Without module hooks the program's own ES modules are not seen: grant the entry's directory.
    for (const entry of entries) loads.push({ path: entry.slice(0, entry.lastIndexOf('/')) || '/', access: 'load', api: 'entry directory' });
    notes.push("this Node has no synchronous module hooks: the program's own ES modules were not seen, so the entry's directory is granted whole");
  }
  return collapse([...loads, ...paths.filter((p) => p.access === 'read')], home);
}

/**
 * Grants for a set of paths: a path under another granted one goes; a directory holding
 * COLLAPSE_AT or more granted paths becomes the grant, up to (never into) a shared root such as
 * `/`, `/tmp`, `/home` or the home directory itself.
 */
export function collapse(entries: PathEntry[], home = ''): Grant[] {
  const grants = new Map<string, Grant>();
  for (const entry of entries) {
    const path = entry.form === 'prefix' ? `${entry.path}*` : entry.path;
    if (!grants.has(path)) grants.set(path, { path, why: whyOf(entry) });
  }
  for (let changed = true; changed; ) {
    changed = dropCovered(grants);
    changed = gatherDirectories(grants, home) || changed;
  }
  return [...grants.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

function whyOf(entry: PathEntry): string {
  if (entry.access === 'load') return entry.api ?? (entry.path.includes('/node_modules/') ? 'package' : 'module file');
  return `${entry.api ?? entry.access}${entry.who ? ` by ${entry.who}` : ''}`;
}

/** Removes grants another grant covers: a path under a directory, a name under a `prefix*`. */
function dropCovered(grants: Map<string, Grant>): boolean {
  let changed = false;
  for (const path of [...grants.keys()]) {
    for (const other of grants.keys()) {
      if (other !== path && covers(other, path)) {
        grants.delete(path);
        changed = true;
        break;
      }
    }
  }
  return changed;
}

function covers(grant: string, path: string): boolean {
  if (grant.endsWith('*')) return path.startsWith(grant.slice(0, -1));
  return path.startsWith(grant === '/' ? '/' : `${grant}/`);
}

function gatherDirectories(grants: Map<string, Grant>, home: string): boolean {
  const byParent = new Map<string, string[]>();
  for (const path of grants.keys()) {
    const parent = parentOf(path);
    if (parent && !isSharedRoot(parent, home)) byParent.set(parent, [...(byParent.get(parent) ?? []), path]);
  }
  let changed = false;
  for (const [parent, children] of byParent) {
    if (children.length < COLLAPSE_AT) continue;
    const packages = children.every((c) => grants.get(c)!.why === 'package');
    for (const child of children) grants.delete(child);
    grants.set(parent, { path: parent, why: `${children.length} ${packages ? 'packages' : 'paths'} in it were used` });
    changed = true;
  }
  return changed;
}

function parentOf(path: string): string | undefined {
  const trimmed = path.endsWith('*') ? path.slice(0, -1) : path;
  const cut = trimmed.lastIndexOf('/');
  return cut > 0 ? trimmed.slice(0, cut) : undefined;
}

/** Directories too shared to grant for a few files in them: `/x` (one level) and the home directory and its parent. */
function isSharedRoot(dir: string, home: string): boolean {
  if (dir.split('/').length <= 2) return true;
  return Boolean(home) && (dir === home || home.startsWith(`${dir}/`));
}

function flagsOf(policy: Policy, notes: string[]): string[] {
  const { node } = policy;
  const flags = [node.permissionFlag];
  for (const grant of policy.fsRead) flags.push(`--allow-fs-read=${grant.path}`);
  for (const grant of policy.fsWrite) flags.push(`--allow-fs-write=${grant.path}`);
  if (policy.childProcess) flags.push('--allow-child-process');
  if (policy.worker) flags.push('--allow-worker');
  if (policy.addons && node.gatesAddons) flags.push('--allow-addons');
  if (policy.wasi && node.gatesWasi) flags.push('--allow-wasi');
  if (policy.net) {
    if (node.gatesNet) flags.push('--allow-net');
    else notes.push(`the program used the network; Node ${node.version} does not gate it (--allow-net is Node 25 and later)`);
  }
  return flags;
}

function addNotes(policy: Policy, programs: InventorySnapshot[], root: InventorySnapshot, notes: string[]): void {
  if (policy.args.some((a) => a.includes('[REDACTED]'))) notes.push('arguments that looked like secrets were redacted by the agent: put their values back');
  if (programs.length > 1) {
    notes.push(
      `${programs.length} node processes ran the program; the grants cover all of them, the command line is the first's (pid ${root.process.pid}); node processes it starts do not inherit these flags`,
    );
  }
  if (programs.some((s) => s.agent.visibility === 'partial:bundled')) notes.push('the entry is a bundle: its packages are inside it, none is granted separately');
}
