import { readPrivateFile, writePrivateFile } from '../../platform/index.js';
import { capKey } from './payload.js';

/**
 * What AIM has, as far as this process knows: report keys AIM has (granted, sent, duplicate) or
 * refused (400, revoked), never sent again; capabilities an administrator revoked, never granted
 * again; and on disk, the capabilities this machine has seen granted to the agent. AIM's agent
 * read lists active capabilities only, so one granted before and missing now was revoked: the
 * file is how the reporter knows.
 */
export interface Acknowledged {
  keys(): string[];
  add(keys: string[]): void;
  save(): void;
}

const VERSION = 1;

export class Ledger {
  private readonly done = new Set<string>();
  readonly revoked = new Set<string>();
  private file: string | undefined;
  private granted = new Set<string>();
  private dirty = false;

  constructor(
    /** The granted-ledger file for an agent UUID; none: no file. */
    private readonly fileFor?: (agentUuid: string) => string,
    /** What AIM acknowledged to any process of the agent (fleet.ts); none: this process asks itself. */
    private readonly acknowledged?: Acknowledged,
  ) {}

  has(key: string): boolean {
    return this.done.has(key);
  }

  /** Done for this process only. */
  mark(keys: Iterable<string>): void {
    for (const k of keys) this.done.add(k);
  }

  /** Done, and told to the other processes of the agent. */
  acknowledge(keys: string[]): void {
    this.mark(keys);
    this.acknowledged?.add(keys);
  }

  /** Keys another process of the agent may just have sent. Never throws. */
  learnAcknowledged(): void {
    try {
      this.mark(this.acknowledged?.keys() ?? []);
    } catch {
      // best effort
    }
  }

  /** What the agent read says; returns the capabilities now known revoked. */
  learnAgent(agentId: string, grantedList: string[], revokedList: string[]): string[] {
    const granted = new Set(grantedList);
    this.acknowledge([...granted].map(capKey));
    for (const c of revokedList) if (!granted.has(c)) this.revoked.add(c);
    if (this.fileFor) {
      this.file = this.fileFor(agentId);
      this.granted = readLedger(this.file);
      for (const c of this.granted) if (!granted.has(c)) this.revoked.add(c);
      for (const c of granted) this.remember(c);
    }
    return [...this.revoked];
  }

  /** A capability seen granted. */
  remember(capability: string): void {
    if (!this.fileFor || this.granted.has(capability)) return;
    this.granted.add(capability);
    this.dirty = true;
  }

  /** Writes what changed: the ledger file, the fleet state. Never throws. */
  save(): void {
    this.acknowledged?.save();
    if (!this.dirty || !this.file) return;
    this.dirty = false;
    writeLedger(this.file, this.granted);
  }
}

export function readLedger(file: string): Set<string> {
  try {
    const data = JSON.parse(readPrivateFile(file) ?? '') as { v?: number; granted?: unknown };
    if (data.v !== VERSION || !Array.isArray(data.granted)) return new Set();
    return new Set(data.granted.filter((g): g is string => typeof g === 'string').slice(0, 1000));
  } catch {
    return new Set();
  }
}

export function writeLedger(file: string, granted: Set<string>): boolean {
  return writePrivateFile(file, JSON.stringify({ v: VERSION, granted: [...granted].sort() }));
}
