import type { LoadedConfig } from '../../config/index.js';
import { readAllowList } from '../allow-list.js';
import type { Inventory } from '../../inventory/index.js';
import { isUuid, OWN_USER_AGENT_PREFIX, privateDirProblem, warn } from '../../platform/index.js';
import { agentNameFor } from './agent-name.js';
import { FleetState } from './fleet.js';
import { defaultCredentialsFile, defaultSpoolDir, fleetStatePath, ledgerPath, spoolPath } from './files.js';
import type { Transport } from './http.js';
import { keyMayTravel } from './keys.js';
import type { Protocol } from './outcome.js';
import { Reporter } from './reporter.js';
import { DEFAULT_TIMINGS, type ReporterTimings } from './schedule.js';

/**
 * The AIM reporter's door (built to dist/reporter.cjs). The agent loads it only when AIM_API_KEY
 * is set, after its hooks are installed. It owns its scheduling and its exit behaviour and never
 * throws. The HTTP client and the request schemas load only when there is first something to send.
 */
export interface AimReporter {
  /** Sends what is unsent, for at most `timeoutMs` (default AIM_FLUSH_TIMEOUT_MS). Never rejects. */
  flush(timeoutMs?: number): Promise<void>;
  /**
   * Writes what is unsent to the spool, synchronously, for the next run. The reporter does this
   * itself at `exit`; this is for an agent that loads the reporter while `exit` is already being
   * emitted (listeners added then do not run).
   */
  spoolUnsent(): void;
}

/** For tests and tools: also lets go of the process (listeners, timers, sockets). */
export interface DisposableAimReporter extends AimReporter {
  dispose(): void;
  stats(): { requests: number; byRoute: Record<string, number> };
}

export interface AimReporterOptions {
  timings?: Partial<ReporterTimings>;
  /** For tests: a protocol instead of the API-key client. */
  protocol?: () => Promise<Protocol>;
  /** For tests: heartbeat and usage intervals in ms (default AIM_HEARTBEAT_INTERVAL_S, and a minute). */
  heartbeatMs?: number;
  usageIntervalMs?: number;
  /** For tests: another HTTP client (default: Node's http, see http.ts). */
  transport?: (url: URL, apiKey: string, userAgent: string) => Transport;
}

const noop: DisposableAimReporter = {
  flush: () => Promise.resolve(),
  spoolUnsent: () => {},
  dispose: () => {},
  stats: () => ({ requests: 0, byRoute: {} }),
};
const SINGLETON = Symbol.for('aim.reporter');

export function startAimReporter(inventory: Inventory, config: LoadedConfig, options: AimReporterOptions = {}): AimReporter {
  try {
    const g = globalThis as { [SINGLETON]?: AimReporter };
    if (g[SINGLETON]) return g[SINGLETON];
    const reporter = createAimReporter(inventory, config, options);
    g[SINGLETON] = reporter;
    return { flush: reporter.flush, spoolUnsent: reporter.spoolUnsent };
  } catch {
    warn('AIM-R010', 'internal error in the AIM reporter; reporting is off for this process.');
    return noop;
  }
}

/** A reporter without the once-per-process guard (tests run several in one process). */
export function createAimReporter(
  inventory: Inventory,
  config: LoadedConfig,
  options: AimReporterOptions = {},
): DisposableAimReporter {
  if (!config.reportingAllowed || !config.apiKey) return noop;
  const apiKey = config.apiKey;
  const urlVariable = config.from.url ?? 'AIM_URL';
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    warn('AIM-R001', `${urlVariable} is not a URL; reporting to AIM is off for this process.`);
    return noop;
  }
  if (!keyMayTravel(url)) {
    warn(
      'AIM-R001',
      `${urlVariable} ${url.origin} is plain http to a host that is not loopback; the API key goes only over https ` +
        '(or http to 127.0.0.1/localhost). Reporting to AIM is off for this process.',
    );
    return noop;
  }
  if (!config.agentId && config.protocol === 'api-key') {
    warn('AIM-R002', 'AIM_API_KEY is set but AIM_AGENT_ID is not; set it to the id or name of the agent in AIM. Reporting is off.');
    return noop;
  }
  // npm, npx, pnpm, yarn, ...: tooling, not the agent. Nothing to report, nothing to add to its exit.
  if (inventory.process.launcher) return noop;

  const userAgent = `${OWN_USER_AGENT_PREFIX}${inventory.agent.version} (node ${process.version})`;
  const secrets = [apiKey, config.privateKey].filter(Boolean);
  const redact = (text: string): string => secrets.reduce((t, secret) => t.split(secret).join('[redacted]'), text);
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  // Startup jitter: a fleet started at once does not reach AIM in the same instant.
  const jitter = options.timings?.quietMs === undefined ? Math.random() * 250 : 0;
  timings.quietMs += jitter;
  timings.quietMaxMs += jitter;
  const spoolDir = config.spoolDir || defaultSpoolDir();
  const deployment = { environment: config.environment, version: config.agentVersion, tags: config.tags };
  warnIfNotOwn(spoolDir);
  warnIfNotOwn(`${spoolDir}.state`);
  // Signed generation: the name to register under; AIM_AGENT_ID may be that name.
  const name = agentNameFor(
    config.agentName || (config.agentId && !isUuid(config.agentId) ? config.agentId : ''),
    inventory.process.argv,
    inventory.process.cwd,
  );
  const agentRef = config.agentId || name;
  const credentialsFile = config.credentialsFile || defaultCredentialsFile(url.href, name);
  // Next to the spool, not in it: the spool directory holds only what waits to be sent.
  const fleet = new FleetState(fleetStatePath(`${spoolDir}.state`, url.href, agentRef));
  const reporter = new Reporter(inventory, {
    agent: agentRef,
    // Saved at once: the other processes of the agent check it before each request.
    acknowledged: {
      keys: () => fleet.ackedKeys(),
      add: (keys) => {
        fleet.ack(keys);
        fleet.save();
      },
      save: () => fleet.save(),
    },
    capabilities: config.capabilities,
    recordIds: { get: (identity) => fleet.mcpId(identity), set: (identity, id) => fleet.setMcpId(identity, id) },
    signedHint: () => fleet.generation === 'signed',
    agentIdHint: () => fleet.agentId,
    heartbeatMs: options.heartbeatMs ?? config.heartbeatIntervalS * 1000,
    ...(options.usageIntervalMs ? { usageIntervalMs: options.usageIntervalMs } : {}),
    ...allowListOf(config.allowList),
    reportPotential: config.reportPotential,
    deployment,
    flushTimeoutMs: config.flushTimeoutMs,
    // Per agent: with only AIM_API_KEY set, agents differ by name, not by AIM_AGENT_ID.
    spoolFile: spoolPath(spoolDir, url.href, agentRef),
    ledgerFile: (agentUuid) => ledgerPath(spoolDir, url.href, agentUuid),
    timings,
    redact,
    loadProtocol:
      options.protocol ??
      (async () => {
        const [{ createApiKeyProtocol }, { createSignedProtocol }, { selectProtocol }, { createNodeHttpTransport }, { desiredFrom, deploymentDetails }, fs] = await Promise.all([
          import('./apikey.js'),
          import('./signed.js'),
          import('./select.js'),
          import('./http.js'),
          import('./payload.js'),
          import('node:fs'),
        ]);
        return selectProtocol({
          mode: config.protocol,
          fleet,
          hasCredentials: Boolean(config.privateKey) || fs.existsSync(credentialsFile),
          hasAgentId: Boolean(config.agentId),
          make: (generation) =>
            generation === 'api-key'
              ? createApiKeyProtocol(url, apiKey, userAgent, options.transport?.(url, apiKey, userAgent))
              : createSignedProtocol({
                  // No X-API-Key on signed calls: the key goes only into the registration.
                  transport: options.transport?.(url, '', userAgent) ?? createNodeHttpTransport(url, '', userAgent),
                  apiKey,
                  identity: { name, credentialsFile, envAgentId: config.agentId, envPrivateKey: config.privateKey },
                  capabilitiesSoFar: () =>
                    config.capabilities === 'grant'
                      ? [...desiredFrom(inventory.snapshot(), config.reportPotential).capabilities.values()].map((c) => c.id)
                      : [],
                  agentVersion: config.agentVersion || inventory.agent.version,
                  metadata: deploymentDetails({ environment: deployment.environment, tags: deployment.tags }),
                  fleet,
                  signatureAlgorithm: config.signatureAlgorithm,
                }),
        });
      }),
  });
  return {
    flush: (timeoutMs) => reporter.flush(timeoutMs),
    spoolUnsent: () => reporter.spoolUnsent(),
    dispose: () => reporter.dispose(),
    stats: () => ({ requests: reporter.stats.requests, byRoute: { ...reporter.stats.byRoute } }),
  };
}

/** AIM_ALLOWLIST: capabilities outside it are requested, never granted (a bad file: the watcher warns). */
function allowListOf(file: string): { allowList?: ReadonlySet<string> } {
  if (!file) return {};
  const list = readAllowList(file);
  return typeof list === 'string' ? {} : { allowList: list };
}

/**
 * A spool or state directory someone else can write (or a planted link) is neither read nor
 * written: its files would be sent with this user's key or silence the report. Said once.
 */
function warnIfNotOwn(dir: string): void {
  const problem = privateDirProblem(dir);
  if (problem) {
    warn('AIM-F001', `${dir} is ${problem}; aim keeps no spool or state there (reports unsent at exit are dropped). Use a directory only you can write (AIM_SPOOL_DIR).`);
  }
}
