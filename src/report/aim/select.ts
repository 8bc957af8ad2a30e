import { debug } from '../../platform/index.js';
import type { Outcome, Protocol } from './outcome.js';
import type { FleetState, Generation } from './fleet.js';

/**
 * AIM_PROTOCOL=auto|signed|api-key. `auto` finds out which generation the server speaks with the
 * request the reporter makes first anyway (the agent read, or the registration), once per
 * process, and remembers it in the agent's state file for the next processes. A wrong guess is
 * a 401 (a current AIM refusing an X-API-Key-only read) or a 401/404 (an older AIM without
 * signatures or a registration route): one extra request, then the other generation carries the
 * same report on. Nothing is lost: the reporter only marks items done on success.
 */
export type ProtocolMode = 'auto' | Generation;

export interface SelectOptions {
  mode: ProtocolMode;
  fleet?: FleetState;
  /** Credentials exist already (AIM_PRIVATE_KEY or the credentials file): a first guess of `signed`. */
  hasCredentials: boolean;
  /**
   * AIM_AGENT_ID is set (without a private key): a first guess of `api-key`, the generation where
   * an agent is named by id alone. Without it, the first guess is the current generation, which
   * registers the agent itself (docs/aim-protocol.md: the current flow is primary).
   */
  hasAgentId: boolean;
  make: (generation: Generation) => Protocol;
}

export interface SelectedProtocol extends Protocol {
  /** The generation in use (after `auto` decided). */
  readonly generation: Generation;
}

export function selectProtocol(options: SelectOptions): SelectedProtocol {
  const made = new Map<Generation, Protocol>();
  const get = (g: Generation): Protocol => {
    let p = made.get(g);
    if (!p) made.set(g, (p = options.make(g)));
    return p;
  };
  let generation: Generation =
    options.mode !== 'auto'
      ? options.mode
      : (options.fleet?.generation ?? (options.hasCredentials || !options.hasAgentId ? 'signed' : 'api-key'));
  let decided = options.mode !== 'auto';

  /** Whether this refusal says "not this generation" (and not "bad key"). */
  const wrongGeneration = (o: Outcome): boolean => {
    if (o.kind !== 'auth' || (o.status !== 401 && o.status !== 404)) return false;
    // The API-key generation refuses a bad key in words about the key ("Invalid API key",
    // "API key has expired"): that is the key, not the generation. A current AIM answers an
    // X-API-Key-only read from its JWT fallback ("No authentication token provided").
    return !(generation === 'api-key' && /api key/i.test(o.serverSays ?? ''));
  };

  const self: SelectedProtocol = {
    get generation() {
      return generation;
    },
    get serversViaDetections() {
      return get(generation).serversViaDetections;
    },
    get records() {
      return get(generation).records;
    },
    async getAgent(identifier, opts) {
      let outcome = await get(generation).getAgent(identifier, opts);
      if (!decided && wrongGeneration(outcome)) {
        const other: Generation = generation === 'signed' ? 'api-key' : 'signed';
        debug('AIM-R105', `protocol: ${generation} refused (${outcome.kind === 'auth' ? outcome.status : ''}); trying ${other}`);
        generation = other;
        outcome = await get(generation).getAgent(identifier, opts);
      }
      if (!decided && (outcome.kind === 'ok' || outcome.kind === 'unknown-agent')) {
        decided = true;
        options.fleet?.setGeneration(generation);
      }
      return outcome;
    },
    reportDetections: (a, d, o) => get(generation).reportDetections(a, d, o),
    grantCapability: (a, c, o) => get(generation).grantCapability(a, c, o),
    addMcpServers: (a, s, o) => get(generation).addMcpServers(a, s, o),
    requestCapability: (a, c, o) => {
      const p = get(generation);
      return p.requestCapability ? p.requestCapability(a, c, o) : p.grantCapability(a, c, o);
    },
    close() {
      for (const p of made.values()) p.close();
    },
  };
  return self;
}
