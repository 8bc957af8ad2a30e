import type { CapabilityId } from './ids.js';
import { sqlCapability } from './statements.js';

/**
 * Builtin APIs whose first real use means a capability. One row per function; the hooks patch
 * exactly these. `decide` names an argument that picks the capability at call time.
 */
export interface BuiltinRow {
  /** The builtin, without `node:`. `fs/promises` is `fs.promises`. */
  module: 'fs' | 'fs/promises' | 'child_process' | 'net' | 'http' | 'https' | 'sqlite';
  /** The function, or `Class.prototype.method`. */
  api: string;
  capability: CapabilityId | { decide: 'openFlags' | 'sqlVerb'; arg: number };
  /**
   * A metadata probe (`existsSync`, `stat`, `access`, `realpath`): what a PATH lookup or a config
   * search does. Kept as `probe` evidence with its path (a permission policy needs it: Node asks
   * read permission for a stat), never as use.
   */
  probe?: true;
}

const rows = (module: BuiltinRow['module'], capability: BuiltinRow['capability'], apis: string[]): BuiltinRow[] =>
  apis.map((api) => ({ module, api, capability }));

const fsRead = ['readFile', 'readdir', 'opendir', 'readlink'];
const fsProbe = ['stat', 'lstat', 'access', 'realpath', 'exists'];
const fsWrite = ['writeFile', 'appendFile', 'mkdir', 'mkdtemp', 'rename', 'copyFile', 'cp', 'symlink', 'link', 'chmod', 'chown', 'truncate', 'utimes'];
const fsDelete = ['unlink', 'rm', 'rmdir'];
const sync = (apis: string[]) => apis.map((api) => `${api}Sync`);
const probes = (module: BuiltinRow['module'], apis: string[]): BuiltinRow[] =>
  apis.map((api) => ({ module, api, capability: 'file:read', probe: true }));

export const builtinRows: readonly BuiltinRow[] = [
  ...rows('fs', 'file:read', [...fsRead, ...sync(fsRead), 'createReadStream', 'watch', 'watchFile']),
  ...probes('fs', [...fsProbe, ...sync(fsProbe)]),
  ...rows('fs', 'file:write', [...fsWrite, ...sync(fsWrite), 'createWriteStream']),
  ...rows('fs', 'file:delete', [...fsDelete, ...sync(fsDelete)]),
  ...rows('fs', { decide: 'openFlags', arg: 1 }, ['open', 'openSync']),
  ...rows('fs/promises', 'file:read', [...fsRead, 'watch']),
  ...probes('fs/promises', fsProbe.filter((api) => api !== 'exists')),
  ...rows('fs/promises', 'file:write', fsWrite),
  ...rows('fs/promises', 'file:delete', fsDelete),
  ...rows('fs/promises', { decide: 'openFlags', arg: 1 }, ['open']),
  ...rows('child_process', 'system:exec', ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']),
  ...rows('net', 'network:listen', ['Server.prototype.listen']),
  // The request channel fires a tick later, without the caller: these give the app's line.
  ...rows('http', 'api:call', ['request', 'get']),
  ...rows('https', 'api:call', ['request', 'get']),
  ...rows('sqlite', { decide: 'sqlVerb', arg: 0 }, ['DatabaseSync.prototype.exec', 'DatabaseSync.prototype.prepare']),
];

/** The capabilities a row can yield: the wrapper retires once the app has shown all of them. */
export function possibleCapabilities(row: BuiltinRow): CapabilityId[] {
  if (typeof row.capability === 'string') return [row.capability];
  return row.capability.decide === 'openFlags' ? ['file:read', 'file:write'] : ['db:read', 'db:write'];
}

/** The capability of one call, from its arguments. */
export function capabilityOfCall(row: BuiltinRow, args: ArrayLike<unknown>): CapabilityId {
  const rule = row.capability;
  if (typeof rule === 'string') return rule;
  const value = args[rule.arg];
  if (rule.decide === 'openFlags') return opensForWriting(value) ? 'file:write' : 'file:read';
  return (typeof value === 'string' && sqlCapability(value)) || 'db:write';
}

function opensForWriting(flags: unknown): boolean {
  if (typeof flags === 'number') return (flags & 3) !== 0; // O_WRONLY | O_RDWR
  return typeof flags === 'string' && /[wa+]/.test(flags);
}
