import * as fs from 'node:fs';
import * as path from 'node:path';
import { privateDirProblem, readPrivateFile, writePrivateFile } from '../../platform/index.js';
import { emptyDesired, mergeDesired, type Desired, type PendingCapability, type PendingDetection, type PendingServer } from './payload.js';
import { connKey, recKey, type PendingConnection, type PendingRecord } from './records.js';

/**
 * What a process has not sent to AIM yet, kept on disk while it runs (see reporter.ts for when)
 * and at `exit`, so that a process ended by a signal, a crash or `process.exit()` loses nothing:
 * the next process of the same agent sends it. One file per process (`<agent>.<pid>.json`, in
 * the user's own spool directory), written only by that process, so processes never merge into
 * each other's files. A process claims, at start, the files of processes that are no longer
 * running (by rename: one process of a fan-out takes each), writes what they held into its own
 * file at once, and removes theirs. Never the key.
 */
export const VERSION = 1;
/** Entries older than this are stale: the next run reports its own inventory anyway. */
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const MAX_ENTRIES = 200;

/** Tool calls not yet in a usage report, by the server's stable identity (mcp-identity.ts). */
export interface SpooledUsage {
  identity: string;
  tool: string;
  count: number;
  firstUsed: string;
  lastUsed: string;
}

export interface Spooled {
  desired: Desired;
  usage: SpooledUsage[];
}

interface SpoolFile {
  v: number;
  writtenAt: string;
  capabilities: PendingCapability[];
  detections: PendingDetection[];
  servers: PendingServer[];
  // Since issue 16: the current AIM's records, connections and tool usage. Optional, so that
  // files of older versions still read (and older versions ignore these).
  records?: PendingRecord[];
  connections?: PendingConnection[];
  usage?: SpooledUsage[];
}

export class Spool {
  /** This process's own file. */
  readonly own: string;
  private onDisk = false;
  private readonly dir: string;

  /** `file`: `<dir>/<agent hash>.json` (files.ts spoolPath); older versions wrote exactly that name. */
  constructor(private readonly file: string) {
    this.dir = path.dirname(file);
    this.own = path.join(this.dir, `${path.basename(file, '.json')}.${process.pid}.json`);
  }

  /** Whether this process has a file on disk now. */
  get written(): boolean {
    return this.onDisk;
  }

  /**
   * Takes the files of processes of this agent that no longer run, keeps what they held in this
   * process's own file (so a kill now loses nothing), and returns it. Never throws.
   */
  claim(now = Date.now()): Spooled | undefined {
    try {
      // A directory someone else can write is never read: its files may be planted (entry.ts warns).
      if (privateDirProblem(this.dir) || !fs.existsSync(this.dir)) return undefined;
      const found: Spooled = { desired: emptyDesired(), usage: [] };
      const claimed: string[] = [];
      for (const { file: from, pid } of spoolFiles(this.file)) {
        if (pid !== undefined && stillRunning(pid)) continue;
        const to = `${from}.${process.pid}.claimed`;
        try {
          fs.renameSync(from, to);
        } catch {
          continue; // another process took it first
        }
        claimed.push(to);
        const spooled = readSpool(to, now);
        if (spooled) mergeSpooled(found, spooled);
      }
      if (!claimed.length) return undefined;
      // Kept in this process's file before theirs go (when the disk refuses, in memory only).
      this.save(found.desired, found.usage);
      for (const file of claimed) unlinkQuietly(file);
      return found;
    } catch {
      return undefined;
    }
  }

  /** Writes what is unsent as this process's file, or removes the file when nothing is. Synchronous; never throws. */
  save(pending: Desired, usage: SpooledUsage[], now = new Date()): boolean {
    if (isNothing({ desired: pending, usage })) {
      if (this.onDisk) unlinkQuietly(this.own);
      this.onDisk = false;
      return true;
    }
    const data: SpoolFile = {
      v: VERSION,
      writtenAt: now.toISOString(),
      capabilities: first(pending.capabilities),
      detections: first(pending.detections),
      servers: first(pending.servers),
      records: first(pending.records),
      connections: first(pending.connections),
      usage: usage.slice(0, MAX_ENTRIES),
    };
    const ok = writePrivateFile(this.own, JSON.stringify(data));
    if (ok) this.onDisk = true;
    return ok;
  }
}

/** The spool files of an agent (`spoolPath`): each process's, with its pid, and an older version's. */
export function spoolFiles(file: string): { file: string; pid?: number }[] {
  const dir = path.dirname(file);
  const pattern = new RegExp(`^${path.basename(file, '.json')}(?:\\.(\\d+))?\\.json$`);
  const out: { file: string; pid?: number }[] = [];
  for (const name of fs.readdirSync(dir)) {
    const match = pattern.exec(name);
    if (match) out.push({ file: path.join(dir, name), ...(match[1] !== undefined && { pid: Number(match[1]) }) });
  }
  return out;
}

/**
 * Worth a file: anything but the integration entry alone (every process sends its own) and the
 * capability report (the next process reports its own inventory; an old one would only be
 * replaced by it).
 */
function isNothing({ desired, usage }: Spooled): boolean {
  const onlyIntegration = [...desired.detections.values()].every((d) => d.detectionMethod === 'sdk_integration');
  return onlyIntegration && usage.length === 0 && [desired.capabilities, desired.servers, desired.records, desired.connections].every((m) => m.size === 0);
}

function readSpool(file: string, now: number): Spooled | undefined {
  try {
    // Only a file that is the user's own, in a directory that is: anything else may be planted.
    const data = JSON.parse(readPrivateFile(file) ?? '') as SpoolFile;
    if (data.v !== VERSION || now - Date.parse(data.writtenAt) > MAX_AGE_MS) return undefined;
    const desired = emptyDesired();
    for (const c of arr(data.capabilities)) if (typeof c?.id === 'string') desired.capabilities.set(`cap:${c.id}`, c);
    for (const d of arr(data.detections)) {
      if (typeof d?.mcpServer === 'string' && typeof d.detectionMethod === 'string') {
        desired.detections.set(`det:${d.mcpServer}|${d.detectionMethod}`, d);
      }
    }
    for (const s of arr(data.servers)) if (typeof s?.name === 'string') desired.servers.set(`srv:${s.name}`, s);
    for (const r of arr(data.records)) {
      if (typeof r?.identity === 'string' && typeof r.body?.name === 'string') desired.records.set(recKey(r.identity), r);
    }
    for (const c of arr(data.connections)) {
      if (typeof c?.identity === 'string' && typeof c.tool === 'string' && typeof c.name === 'string') desired.connections.set(connKey(c.identity, c.tool), c);
    }
    const usage = arr(data.usage).filter(
      (u) => typeof u?.identity === 'string' && typeof u.tool === 'string' && Number.isInteger(u.count) && u.count > 0 && typeof u.firstUsed === 'string' && typeof u.lastUsed === 'string',
    );
    return { desired, usage };
  } catch {
    return undefined;
  }
}

/** Adds `extra` to `into`: entries once, tool counts summed. */
export function mergeSpooled(into: Spooled, extra: Spooled): Spooled {
  mergeDesired(into.desired, extra.desired);
  for (const u of extra.usage) {
    const same = into.usage.find((x) => x.identity === u.identity && x.tool === u.tool);
    if (!same) into.usage.push({ ...u });
    else {
      same.count += u.count;
      if (u.firstUsed < same.firstUsed) same.firstUsed = u.firstUsed;
      if (u.lastUsed > same.lastUsed) same.lastUsed = u.lastUsed;
    }
  }
  return into;
}

/** Signal 0 only asks whether the process exists; EPERM: it does, as another user. */
function stillRunning(pid: number): boolean {
  if (pid === process.pid) return false; // an earlier process that had this pid (a container's 1)
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // already gone
  }
}

function first<T>(map: Map<string, T>): T[] {
  return [...map.values()].slice(0, MAX_ENTRIES);
}

function arr<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value : [];
}
