/**
 * aim's own file work (inventory files, package versions, the spool) runs "quietly": the hooks
 * see the counter and do not even look at the stack. One counter per process, shared by every
 * bundle of ours (agent.cjs, reporter.cjs).
 */
const state: { depth: number } = ((globalThis as { [key: symbol]: { depth: number } | undefined })[Symbol.for('aim.quiet')] ??= {
  depth: 0,
});

export function quietly<T>(fn: () => T): T {
  state.depth++;
  try {
    return fn();
  } finally {
    state.depth--;
  }
}

export function isQuiet(): boolean {
  return state.depth > 0;
}
