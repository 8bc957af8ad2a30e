import type { Acknowledged } from './ledger.js';
import type { Deployment } from './payload.js';
import type { Protocol } from './outcome.js';
import type { RecordIds } from './queue.js';
import type { Clock, ReporterTimings } from './schedule.js';

/** What the reporter is given by its door (entry.ts): the agent, its files, its timings, its protocol. */
export interface ReporterSettings {
  /** AIM_AGENT_ID as given: a UUID or a name. */
  agent: string;
  reportPotential: boolean;
  /** AIM_ENVIRONMENT, AIM_AGENT_VERSION, AIM_TAGS. */
  deployment?: Deployment;
  flushTimeoutMs: number;
  /** Spool file for this URL and agent; none disables spooling. */
  spoolFile?: string;
  /** Ledger file of capabilities seen granted, per agent UUID; none disables it. */
  ledgerFile?: (agentUuid: string) => string;
  timings: ReporterTimings;
  /** For tests: time and timers. */
  clock?: Clock;
  /** Loads the protocol (and its HTTP client) when there is first something to send. */
  loadProtocol: () => Promise<Protocol>;
  /** Replaces the API key in anything we print. */
  redact: (text: string) => string;
  /**
   * What AIM acknowledged before, shared by every process of the agent on this machine (fleet.ts):
   * not sent again. None: every process asks AIM itself.
   */
  acknowledged?: Acknowledged;
  /** AIM_CAPABILITIES: grant (default), request (capability requests), off (MCP servers only). */
  capabilities?: 'grant' | 'request' | 'off';
  /** AIM_ALLOWLIST: a capability outside it is filed as a capability request, never granted. */
  allowList?: ReadonlySet<string>;
  /** The current AIM's MCP server record ids, by identity (fleet state). */
  recordIds?: RecordIds;
  /** Before the protocol is loaded: whether an earlier process found the current (signed) AIM. */
  signedHint?: () => boolean;
  /** The agent's UUID as an earlier process of it learnt (state file), for usage and heartbeats. */
  agentIdHint?: () => string | undefined;
  /** Tool usage reports at most this often (ms). */
  usageIntervalMs?: number;
  /** Heartbeats this often (ms); 0: none. The first comes one interval after start, so a short process sends none. */
  heartbeatMs?: number;
}
