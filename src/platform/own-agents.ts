/**
 * aim's own HTTP traffic is known by its socket pool, never by a header: the reporter's
 * `http.Agent` is marked when it is made, and the network hooks leave out every request that
 * rides on a marked agent. A header (`User-Agent: aim-node/…`) is something any program can send,
 * and then its calls would vanish from its inventory. One set per process, shared by every
 * bundle of ours (agent.cjs, reporter.cjs) under a symbol, never a string-named global.
 */
const ownAgents: WeakSet<object> = ((globalThis as { [key: symbol]: WeakSet<object> | undefined })[Symbol.for('aim.own-agents')] ??= new WeakSet());

export function markOwnAgent(agent: object): void {
  ownAgents.add(agent);
}

export function isOwnAgent(agent: unknown): boolean {
  return typeof agent === 'object' && agent !== null && ownAgents.has(agent);
}
