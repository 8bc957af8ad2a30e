import type {
  AgentInfo,
  Capability,
  CapabilityId,
  Evidence,
  InventorySnapshot,
  McpServer,
  PackageSeen,
  PathEntry,
  ProcessInfo,
  RiskFlag,
  RiskSignal,
  ToolUse,
  RuntimeFeature,
} from './types.js';
import { mergeServer } from './servers.js';
import { PathLog, asRiskFlag } from './paths.js';
import { strengthRank } from './types.js';

/** Evidence kept per capability: enough to explain it, bounded so memory stays flat. */
const MAX_EVIDENCE = 16;

export type ChangeListener = (inventory: Inventory) => void;

/**
 * The deduplicated capability inventory of this process. Every change bumps `revision`
 * and notifies listeners synchronously; listeners must be cheap (sinks debounce).
 */
export class Inventory {
  revision = 0;
  private readonly capabilities = new Map<CapabilityId, Capability>();
  private readonly evidenceKeys = new Set<string>();
  private readonly packages = new Map<string, PackageSeen & { dir?: string }>();
  private readonly servers = new Map<string, McpServer>();
  private readonly listeners = new Set<ChangeListener>();
  private readonly usageListeners = new Set<() => void>();
  private readonly usage = new Map<string, Map<string, ToolUse>>();
  private riskFlags: RiskFlag[] = [];
  /** Bumped by every counted tool call; a reader compares it to what it last sent. */
  usageRevision = 0;
  private readonly pathLog = new PathLog();

  private catchingUp = false;

  /**
   * @param versionOf reads a package's version from its directory; called lazily at snapshot
   *   time, once per package, so loading a module never pays for it.
   * @param catchUp looks, before each snapshot, for what no hook reports as it happens (packages
   *   in require.cache, the MCP config files): whoever reads the inventory gets it whole, and
   *   nobody pays when nobody reads.
   */
  constructor(
    readonly process: ProcessInfo,
    readonly agent: AgentInfo,
    private readonly versionOf: (dir: string) => string | undefined = () => undefined,
    private readonly catchUp: () => void = () => {},
  ) {}

  /** Adds evidence for a capability; returns false when it was already known. */
  addEvidence(id: CapabilityId, evidence: Evidence, confidence: number): boolean {
    const key = `${id}|${evidence.strength}|${evidence.api}|${evidence.who}${evidence.worker ? '|worker' : ''}`;
    if (this.evidenceKeys.has(key)) return false;
    this.evidenceKeys.add(key);
    let capability = this.capabilities.get(id);
    if (!capability) {
      capability = { id, strength: evidence.strength, confidence, evidence: [] };
      this.capabilities.set(id, capability);
    }
    if (strengthRank[evidence.strength] > strengthRank[capability.strength]) capability.strength = evidence.strength;
    capability.confidence = Math.max(capability.confidence, confidence);
    if (capability.evidence.length < MAX_EVIDENCE) capability.evidence.push(evidence);
    this.changed();
    return true;
  }

  /** Adds a package seen loaded or at work; `dir` lets its version be read later. */
  addPackage(pkg: PackageSeen & { dir?: string }): boolean {
    const known = this.packages.get(pkg.name);
    if (known && (known.dir || known.version || !(pkg.dir || pkg.version))) return false;
    this.packages.set(pkg.name, { ...pkg });
    this.changed();
    return true;
  }

  /** Adds a file the process touched (path already in `~` form). */
  addPath(entry: PathEntry): void {
    if (this.pathLog.addPath(entry)) this.changed();
  }

  /** Notes a Node feature the permission model gates (a worker started, an addon loaded). */
  addFeature(feature: RuntimeFeature): void {
    if (this.pathLog.addFeature(feature)) this.changed();
  }

  /** Raises a risk signal, once per kind and subject. */
  addRisk(flag: RiskSignal): void {
    if (this.pathLog.addRisk(flag)) this.changed();
  }

  /** The capabilities used so far (not only loaded), without a snapshot's catch-up scan. */
  usedCapabilities(): readonly Capability[] {
    return [...this.capabilities.values()].filter((c) => c.strength === 'used');
  }

  hasPackage(name: string): boolean {
    return this.packages.has(name);
  }

  /** Adds a sighting of an MCP server, merged by key (launch command or URL) with what is known. */
  upsertServer(server: McpServer): void {
    const known = this.servers.get(server.key);
    const merged = mergeServer(known, server);
    if (known && JSON.stringify(known) === JSON.stringify(merged)) return;
    this.servers.set(server.key, merged);
    this.changed();
  }

  /** The server known by `key`, as a copy. */
  server(key: string): McpServer | undefined {
    const known = this.servers.get(key);
    return known && { ...known };
  }

  /** Every server known, as copies. */
  serverList(): McpServer[] {
    return [...this.servers.values()].map((s) => ({ ...s }));
  }

  removeServer(key: string): void {
    if (this.servers.delete(key)) this.changed();
  }

  /**
   * Counts one call of `tool` on the server keyed `serverKey`. No change event: a busy agent calls
   * tools all the time, and the reporter batches counts on its own interval.
   */
  recordToolUse(serverKey: string, tool: string, at = new Date().toISOString()): void {
    let tools = this.usage.get(serverKey);
    if (!tools) this.usage.set(serverKey, (tools = new Map()));
    const use = tools.get(tool);
    if (use) {
      use.count++;
      use.lastUsed = at;
    } else tools.set(tool, { count: 1, firstUsed: at, lastUsed: at });
    this.usageRevision++;
    for (const listener of this.usageListeners) {
      try {
        listener();
      } catch {
        // the listener's problem
      }
    }
  }

  /** The MCP servers (copies), without the catch-up scan of a full snapshot. */
  snapshotServers(): McpServer[] {
    return [...this.servers.values()].map((s) => ({ ...s }));
  }

  /** Tool calls so far: server key -> tool -> counts (copies). */
  toolUsage(): Map<string, Map<string, ToolUse>> {
    return new Map([...this.usage].map(([k, tools]) => [k, new Map([...tools].map(([t, u]) => [t, { ...u }]))]));
  }

  /** The policy layer's risk flags (replaces the earlier set). */
  setRiskFlags(flags: RiskFlag[]): void {
    if (JSON.stringify(flags) === JSON.stringify(this.riskFlags)) return;
    this.riskFlags = flags.map((f) => ({ ...f }));
    this.changed();
  }

  /** Marks a fact about the agent itself (hook mode, visibility, errors). */
  updateAgent(patch: Partial<AgentInfo>): void {
    Object.assign(this.agent, patch);
    this.changed();
  }

  /** Told of every counted tool call (no revision change); must be cheap: the spool only arms a timer. */
  onUsage(listener: () => void): () => void {
    this.usageListeners.add(listener);
    return () => this.usageListeners.delete(listener);
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): InventorySnapshot {
    this.lookAgain();
    return {
      schema: 'aim.inventory/v1',
      revision: this.revision,
      process: this.process,
      agent: { ...this.agent },
      capabilities: [...this.capabilities.values()]
        .map((c) => ({ ...c, evidence: [...c.evidence] }))
        .sort(byKey((c) => c.id)),
      mcpServers: [...this.servers.values()].map((s) => ({ ...s })),
      packages: [...this.packages.values()].map((p) => this.packageSeen(p)).sort(byKey((p) => p.name)),
      ...this.pathFacts(),
      ...this.allRiskFlags(),
    };
  }

  /** The report's flags: those set by the policy layer, and the risk signals in the report's shape. */
  private allRiskFlags(): Pick<InventorySnapshot, 'riskFlags'> {
    const flags = [...this.riskFlags.map((f) => ({ ...f })), ...this.pathLog.riskList().map(asRiskFlag)];
    return flags.length ? { riskFlags: flags } : {};
  }

  private pathFacts(): Pick<InventorySnapshot, 'paths' | 'pathsTruncated' | 'risks' | 'runtimeFeatures'> {
    const paths = this.pathLog.pathList();
    const risks = this.pathLog.riskList();
    const features = this.pathLog.featureList();
    return {
      ...(paths.length > 0 ? { paths } : {}),
      ...(this.pathLog.truncated ? { pathsTruncated: true } : {}),
      ...(risks.length > 0 ? { risks } : {}),
      ...(features.length > 0 ? { runtimeFeatures: features } : {}),
    };
  }

  /** Runs catchUp, which may add to this inventory, never from inside itself. */
  private lookAgain(): void {
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      this.catchUp();
    } catch {
      // What the scan did not add, the next snapshot's scan may.
    } finally {
      this.catchingUp = false;
    }
  }

  private packageSeen(pkg: PackageSeen & { dir?: string }): PackageSeen {
    if (pkg.version === undefined && pkg.dir) {
      const version = this.versionOf(pkg.dir);
      delete pkg.dir;
      if (version) pkg.version = version;
    }
    return pkg.version ? { name: pkg.name, version: pkg.version } : { name: pkg.name };
  }

  private changed(): void {
    this.revision++;
    for (const listener of this.listeners) {
      try {
        listener(this);
      } catch {
        // A sink's failure is the sink's problem; the inventory keeps going.
      }
    }
  }
}

/** Code-point order: `localeCompare` would load ICU collation data (about 13 ms) on first use. */
export function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}
