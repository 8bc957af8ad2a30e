import { readPrivateFile, writePrivateFile } from '../../platform/index.js';
import * as fs from 'node:fs';

/**
 * Quiet fleets: one small state file per AIM server and agent, shared by every process of the
 * agent on this machine (restarts, replicas, NODE_OPTIONS children). It remembers what the server
 * acknowledged, so a process whose inventory AIM already has sends nothing at all; which protocol
 * generation the server speaks (AIM_PROTOCOL=auto asks once); capabilities pending approval; and
 * a registration refused with 409. Never a key. Read-merge-write by rename; a lost update only
 * costs a request that AIM answers as a duplicate.
 */
export type Generation = 'signed' | 'api-key';

interface StateFile {
  v: 1;
  generation?: Generation;
  generationAt?: string;
  /** Report key (`cap:`, `det:`, `srv:`) -> when AIM acknowledged it (epoch ms). */
  acked: Record<string, number>;
  /** Capability id -> when AIM answered 202 (pending an administrator's approval). */
  pending: Record<string, number>;
  /** The server's clock minus ours (seconds), last measured. */
  skewS?: number;
  /** The agent name AIM refused with 409, and when. */
  conflict?: { name: string; at: string };
  agentId?: string;
  /** MCP server identity -> the id of its record in AIM (current AIM). */
  mcpIds?: Record<string, string>;
  /** AIM refused the signature asked (`asked`) and took `accepted`, saying `said`, at `at` (signer.ts). */
  signature?: SignatureMemo;
}

export interface SignatureMemo {
  asked: string;
  accepted: string;
  status: number;
  said: string;
  at: string;
}

/** A detection is sent again after this long: AIM's dedupe window is 24 h, this keeps `lastSeen` fresh. */
export const DETECTION_REFRESH_MS = 12 * 3600 * 1000;

export class FleetState {
  private data: StateFile = { v: 1, acked: {}, pending: {} };
  private dirty = new Set<string>();
  private dirtyPending = new Set<string>();
  private mtime = -1;

  constructor(readonly file: string) {
    this.reload();
  }

  /** Re-reads the file when another process changed it. Never throws. */
  reload(): void {
    try {
      const st = fs.lstatSync(this.file);
      if (st.mtimeMs === this.mtime) return;
      this.mtime = st.mtimeMs;
      // Only the user's own file: state planted by someone else could silence the report.
      const disk = parse(readPrivateFile(this.file) ?? '');
      if (disk) this.data = merge(disk, this.data, this.dirty, this.dirtyPending);
    } catch {
      // no file yet
    }
  }

  /** Keys AIM has acknowledged and that need not be sent again now. */
  ackedKeys(now = Date.now()): string[] {
    this.reload();
    return Object.entries(this.data.acked)
      .filter(([k, at]) => !k.startsWith('det:') || now - at < DETECTION_REFRESH_MS)
      .map(([k]) => k);
  }

  ack(keys: string[], now = Date.now()): void {
    for (const k of keys) {
      if (!/^(cap|det|srv|mcp|conn|rep):/.test(k)) continue;
      this.data.acked[k] = now;
      this.dirty.add(k);
    }
  }

  markPending(capability: string, now = Date.now()): void {
    this.data.pending[capability] = now;
    this.dirtyPending.add(capability);
  }

  pending(): string[] {
    return Object.keys(this.data.pending);
  }

  get generation(): Generation | undefined {
    return this.data.generation;
  }

  setGeneration(generation: Generation): void {
    if (this.data.generation === generation) return;
    this.data.generation = generation;
    this.data.generationAt = new Date().toISOString();
    this.save(true);
  }

  get skewS(): number | undefined {
    return this.data.skewS;
  }

  setSkew(skewS: number): void {
    this.data.skewS = skewS;
    this.save(true);
  }

  get conflict(): StateFile['conflict'] {
    return this.data.conflict;
  }

  setConflict(name: string | undefined): void {
    if (name) this.data.conflict = { name, at: new Date().toISOString() };
    else delete this.data.conflict;
    this.save(true);
  }

  mcpId(identity: string): string | undefined {
    this.reload();
    return this.data.mcpIds?.[identity];
  }

  setMcpId(identity: string, id: string): void {
    if (this.data.mcpIds?.[identity] === id) return;
    this.data.mcpIds = { ...this.data.mcpIds, [identity]: id };
    this.save(true);
  }

  get signature(): SignatureMemo | undefined {
    this.reload();
    return this.data.signature;
  }

  setSignature(memo: SignatureMemo): void {
    this.data.signature = memo;
    this.save(true);
  }

  get agentId(): string | undefined {
    return this.data.agentId;
  }

  setAgentId(id: string): void {
    if (this.data.agentId === id) return;
    this.data.agentId = id;
    this.save(true);
  }

  /** Writes what changed, merged with what other processes wrote meanwhile. Never throws. */
  save(force = false): void {
    if (!force && !this.dirty.size && !this.dirtyPending.size) return;
    try {
      let disk: StateFile | undefined;
      try {
        disk = parse(readPrivateFile(this.file) ?? '');
      } catch {
        disk = undefined;
      }
      const out = disk ? merge(disk, this.data, this.dirty, this.dirtyPending) : this.data;
      if (disk && force) {
        out.generation = this.data.generation ?? disk.generation;
        out.generationAt = this.data.generationAt ?? disk.generationAt;
        out.skewS = this.data.skewS ?? disk.skewS;
        out.conflict = this.data.conflict;
        out.agentId = this.data.agentId ?? disk.agentId;
        out.mcpIds = { ...disk.mcpIds, ...this.data.mcpIds };
        out.signature = this.data.signature ?? disk.signature;
      }
      if (!writePrivateFile(this.file, JSON.stringify(out))) return;
      this.data = out;
      this.dirty.clear();
      this.dirtyPending.clear();
      this.mtime = fs.lstatSync(this.file).mtimeMs;
    } catch {
      // best effort: the next process asks AIM again
    }
  }
}

function parse(text: string): StateFile | undefined {
  const data = JSON.parse(text) as Partial<StateFile>;
  if (data.v !== 1 || typeof data.acked !== 'object' || data.acked === null) return undefined;
  return { ...data, v: 1, acked: { ...data.acked }, pending: { ...(data.pending ?? {}) } } as StateFile;
}

/** Disk wins, except for what this process changed itself. */
function merge(disk: StateFile, mine: StateFile, dirty: Set<string>, dirtyPending: Set<string>): StateFile {
  const out: StateFile = { ...disk, acked: { ...disk.acked }, pending: { ...disk.pending } };
  for (const k of dirty) if (mine.acked[k] !== undefined) out.acked[k] = mine.acked[k]!;
  for (const k of dirtyPending) if (mine.pending[k] !== undefined) out.pending[k] = mine.pending[k]!;
  const keys = Object.keys(out.acked);
  if (keys.length > 2000) for (const k of keys.slice(0, keys.length - 2000)) delete out.acked[k];
  return out;
}
