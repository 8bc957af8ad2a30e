import type { Observation } from './types.js';

/**
 * The one pipe from hooks to inference. Synchronous and allocation-free when nobody listens,
 * so a hook can call `observe` without caring what happens next.
 */
let observer: ((observation: Observation) => void) | undefined;

export function setObserver(fn: ((observation: Observation) => void) | undefined): void {
  observer = fn;
}

export function observe(observation: Observation): void {
  observer?.(observation);
}
