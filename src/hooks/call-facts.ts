import { subscribe } from 'node:diagnostics_channel';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessOf, pathArgs, programsOfSpawn, type BuiltinRow, type CapabilityId } from '../catalog/index.js';
import { observe, type Caller } from '../observations/index.js';
import { callerOf, ownDirectory } from './caller.js';

/**
 * The facts a call carries beyond its capability: the files it names and the programs it starts.
 * The paths Node's permission model asks about, as given (relative ones resolved against the
 * working directory of the moment), never file contents; program file names, never arguments.
 */

/**
 * Distinct facts a process reports at most: the inventory keeps the same bound and says when it
 * was reached. Checked before any stack is captured, so a program that walks a whole tree pays a
 * Set lookup per call once the bound is hit.
 */
const MAX_FACTS = 2048;
const seen = new Set<string>();

/** AIM_PATHS=all (set by `aim policy` and `aim inspect`): every call's facts, not only the first. */
let everyCall = false;

export function recordEveryCall(): void {
  everyCall = true;
}

/** Whether a wrapper that has shown its capabilities stays to record what later calls name. */
export function keepsRecording(row: BuiltinRow): boolean {
  return everyCall && (row.module === 'child_process' || pathArgs(row).length > 0);
}

/** The facts of a call the wrapper has already attributed (its first uses). */
export function observeFacts(row: BuiltinRow, api: string, args: ArrayLike<unknown>, capability: CapabilityId, caller: Caller): void {
  for (const fact of factsOf(row, args, capability)) {
    if (remember(fact.key)) emit(fact, api, caller);
  }
}

/** A later call of a wrapper kept for its facts: the stack is captured only for a new fact. */
export function observeLaterFacts(row: BuiltinRow, api: string, args: ArrayLike<unknown>, capability: CapabilityId, skip: Function): void {
  if (seen.size > MAX_FACTS) return;
  for (const fact of factsOf(row, args, capability)) {
    if (seen.has(fact.key)) continue;
    const caller = callerOf(skip);
    if (!caller) return; // Node loading modules, or aim itself
    if (remember(fact.key)) emit(fact, api, caller);
  }
}

interface Fact {
  key: string;
  path?: string;
  access?: 'read' | 'write';
  form?: 'prefix';
  program?: string;
}

function factsOf(row: BuiltinRow, args: ArrayLike<unknown>, capability: CapabilityId): Fact[] {
  if (row.module === 'child_process') return programsOfSpawn(row.api, args).map((program) => ({ key: `x|${program}`, program }));
  const facts: Fact[] = [];
  for (const arg of pathArgs(row)) {
    const path = pathOf(args[arg.arg]);
    if (path === undefined) continue;
    const access = accessOf(arg, capability);
    const fact: Fact = { key: `${access}|${path}`, path, access };
    if (arg.form) fact.form = arg.form;
    facts.push(fact);
  }
  return facts;
}

function remember(key: string): boolean {
  if (seen.has(key)) return false;
  if (seen.size >= MAX_FACTS) {
    seen.add(key); // over the bound: one more tells the inventory it was reached
    return seen.size === MAX_FACTS + 1;
  }
  seen.add(key);
  return true;
}

function emit(fact: Fact, api: string, caller: Caller): void {
  if (fact.program) observe({ kind: 'spawn', program: fact.program, api, caller });
  else if (fact.path && fact.access) {
    observe(fact.form ? { kind: 'path', path: fact.path, access: fact.access, api, form: fact.form, caller } : { kind: 'path', path: fact.path, access: fact.access, api, caller });
  }
}

/** A path argument as an absolute path: strings, Buffers and file: URLs; not descriptors. */
function pathOf(value: unknown): string | undefined {
  try {
    if (typeof value === 'string') return value === '' ? undefined : resolve(value);
    if (value instanceof URL) return value.protocol === 'file:' ? fileURLToPath(value) : undefined;
    if (value instanceof Uint8Array) return resolve(Buffer.from(value).toString());
  } catch {
    // A path Node will refuse anyway.
  }
  return undefined;
}

/**
 * A file in the module cache or resolved by the hook. A native addon (`.node`) is a feature the
 * permission model gates; with AIM_PATHS=all, a module of the program's own is a file Node reads
 * to load it (packages are granted by their directories).
 */
export function observeModuleFile(path: string): void {
  if (path.endsWith('.node')) observeFeature('addon');
  if (!everyCall || path.includes('/node_modules/') || !path.startsWith('/') || path.startsWith(ownDirectory)) return;
  if (remember(`load|${path}`)) observe({ kind: 'path', path, access: 'load' });
}

const featuresSeen = new Set<string>();

export function observeFeature(feature: 'worker' | 'addon' | 'wasi'): void {
  if (featuresSeen.has(feature)) return;
  featuresSeen.add(feature);
  observe({ kind: 'runtime', feature });
}

/** Node announces each new worker thread on its `worker_threads` channel (no patching). */
export function watchWorkers(): void {
  subscribe('worker_threads', function onWorker() {
    try {
      observeFeature('worker');
    } catch {
      // A fact missed; the program goes on.
    }
  });
}
