import * as fs from 'node:fs';
import { readPrivateFile, writePrivateFile } from '../../platform/index.js';
import { emptyDesired, mergeDesired, type Desired, type PendingCapability, type PendingDetection, type PendingServer } from './payload.js';

/**
 * What a process could not send before it ended (`process.exit()`, a signal, a crash, a flush
 * that ran out of time), written synchronously at `exit` and sent by the next process of the same
 * agent. One small file per AIM URL and agent; never the key. Claimed by rename, so one process
 * of a fan-out sends it, not all of them.
 */
export const VERSION = 1;
/** Entries older than this are stale: the next run reports its own inventory anyway. */
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const MAX_ENTRIES = 200;

interface SpoolFile {
  v: number;
  writtenAt: string;
  capabilities: PendingCapability[];
  detections: PendingDetection[];
  servers: PendingServer[];
}

/** Takes the spool file (if any) for this process and returns what it held. Never throws. */
export function claimSpool(file: string, now = Date.now()): Desired | undefined {
  const claimed = `${file}.${process.pid}.claimed`;
  try {
    fs.renameSync(file, claimed);
  } catch {
    return undefined;
  }
  try {
    return readSpool(claimed, now);
  } finally {
    try {
      fs.unlinkSync(claimed);
    } catch {
      // already gone
    }
  }
}

function readSpool(file: string, now: number): Desired | undefined {
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
    return desired;
  } catch {
    return undefined;
  }
}

/** Writes what is unsent, synchronously (this runs at `exit`). Never throws. */
export function writeSpool(file: string, pending: Desired, now = new Date()): boolean {
  // Another process of the agent may have spooled too: keep both.
  const earlier = readSpool(file, now.getTime());
  if (earlier) mergeDesired(pending, earlier);
  const data: SpoolFile = {
    v: VERSION,
    writtenAt: now.toISOString(),
    capabilities: [...pending.capabilities.values()].slice(0, MAX_ENTRIES),
    detections: [...pending.detections.values()].slice(0, MAX_ENTRIES),
    servers: [...pending.servers.values()].slice(0, MAX_ENTRIES),
  };
  return writePrivateFile(file, JSON.stringify(data));
}

function arr<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value : [];
}
