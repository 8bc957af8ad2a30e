import type * as http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RouteName } from '../protocol/index.js';
import { send } from './wire.js';

/** Faults a test injects into the collector's answers (POST /__aim/faults, or `setFault`). */
export interface Fault {
  /** Which route: a RouteName or `*`. */
  route: RouteName | '*';
  /** Answer with this status (and `body`, `retryAfter`). */
  status?: number;
  body?: unknown;
  retryAfter?: number | string;
  /** Wait this long (ms) first, then answer normally (or with `status`). */
  delay?: number;
  /** Never answer. */
  hang?: boolean;
  /** Destroy the connection. */
  reset?: boolean;
  /** Answer 200 with a body that is not JSON; `huge` sends 8 MiB of it. */
  garbage?: boolean | 'huge';
  /** How many matching requests (default 1; -1: until cleared). */
  count?: number;
}

export class Faults {
  readonly list: Fault[] = [];

  add(fault: Fault): void {
    this.list.push({ count: 1, ...fault });
  }

  clear(): void {
    this.list.length = 0;
  }

  /** The fault for this request, counted down. */
  take(route: RouteName): Fault | undefined {
    const i = this.list.findIndex((f) => f.route === route || f.route === '*');
    if (i < 0) return undefined;
    const fault = this.list[i]!;
    if (fault.count !== -1) {
      fault.count = (fault.count ?? 1) - 1;
      if (fault.count <= 0) this.list.splice(i, 1);
    }
    return fault;
  }
}

/**
 * Plays a fault after its delay; `record` is told what was answered (a status, `reset`, `hang`)
 * before the answer goes. False when the request is to be answered normally after all.
 */
export async function playFault(
  fault: Fault,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  record: (status: number | 'reset' | 'hang') => void,
): Promise<boolean> {
  if (fault.delay) await sleep(fault.delay);
  if (fault.hang) {
    record('hang');
    return true;
  }
  if (fault.reset) {
    record('reset');
    req.socket.destroy();
    return true;
  }
  if (fault.garbage) {
    record(200);
    res.writeHead(200, { 'content-type': 'application/json' });
    if (fault.garbage === 'huge') {
      const chunk = Buffer.alloc(64 * 1024, 'x');
      for (let i = 0; i < 128 && !res.destroyed; i++) {
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    } else res.end('<html>this is not json{{{');
    return true;
  }
  if (fault.status) {
    record(fault.status);
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
    send(res, fault.status, fault.body ?? { error: 'injected fault' }, headers);
    return true;
  }
  return false;
}
