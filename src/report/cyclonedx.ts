/**
 * The inventory of a process tree as a CycloneDX 1.6 or 1.7 BOM (an AI-BOM), for the tools that
 * read CycloneDX: the program is the metadata component, the npm packages it loaded are library
 * components with purls, each MCP server is a service, each LLM provider seen is a
 * `machine-learning-model` component, and capabilities and risk signals are `aim:` properties.
 * Validated against the official strict JSON schema in the tests.
 */
import type { MergedInventory, McpServer, RiskSignal } from '../inventory/index.js';

export type CycloneDxVersion = '1.6' | '1.7';

interface Property {
  name: string;
  value: string;
}

interface Component {
  type: 'application' | 'library' | 'machine-learning-model';
  'bom-ref': string;
  name: string;
  group?: string;
  version?: string;
  purl?: string;
  publisher?: string;
  description?: string;
  properties?: Property[];
}

export interface CycloneDxBom {
  $schema: string;
  bomFormat: 'CycloneDX';
  specVersion: CycloneDxVersion;
  serialNumber: string;
  version: 1;
  metadata: { timestamp: string; tools: { components: Component[] }; component: Component };
  components: Component[];
  services?: object[];
}

export interface BomSource {
  merged: MergedInventory;
  /** The agent's version, for metadata.tools. */
  aimVersion: string;
  timestamp?: string;
}

export function toCycloneDx(source: BomSource, specVersion: CycloneDxVersion = '1.6'): CycloneDxBom {
  const { merged } = source;
  const bom: CycloneDxBom = {
    $schema: `http://cyclonedx.org/schema/bom-${specVersion}.schema.json`,
    bomFormat: 'CycloneDX',
    specVersion,
    // The global Web Crypto, not an import of node:crypto: this module is in the agent's bundle
    // (the report door), and node:crypto loaded at startup cost 8 ms on Node 20.
    serialNumber: `urn:uuid:${crypto.randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: source.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      tools: { components: [{ type: 'application', 'bom-ref': 'aim', name: 'aim', version: source.aimVersion, description: 'zero-config preload agent: the inventory of what a Node.js program was seen doing' }] },
      component: programComponent(merged),
    },
    components: [...packageComponents(merged), ...modelComponents(merged)],
  };
  const services = merged.mcpServers.map(mcpService);
  if (services.length > 0) bom.services = services;
  return bom;
}

/** The program: its entry, its Node, what it was seen doing (capabilities) and its risk signals. */
function programComponent(merged: MergedInventory): Component {
  const root = merged.processes.find((p) => !p.launcher) ?? merged.processes[0];
  const entry = root?.entry ?? root?.argv[1] ?? 'program';
  const properties: Property[] = [];
  if (root) properties.push({ name: 'aim:node', value: root.node }, { name: 'aim:entry', value: entry });
  for (const c of merged.capabilities) properties.push({ name: 'aim:capability', value: `${c.id} ${c.strength} ${c.confidence}` });
  for (const r of merged.risks) properties.push({ name: `aim:risk:${r.kind}`, value: riskValue(r) });
  return { type: 'application', 'bom-ref': 'program', name: entry.slice(entry.lastIndexOf('/') + 1) || entry, ...(properties.length ? { properties } : {}) };
}

function riskValue(r: RiskSignal): string {
  return `${r.severity} ${r.label}: ${r.subject}${r.who === 'app' ? '' : ` (by ${r.who})`}`;
}

/** Every npm package any program process loaded, once per name and version. */
function packageComponents(merged: MergedInventory): Component[] {
  const seen = new Map<string, Component>();
  for (const process of merged.processes) {
    if (process.launcher) continue;
    for (const pkg of process.packages) {
      const purl = purlOf(pkg.name, pkg.version);
      if (seen.has(purl)) continue;
      const scoped = pkg.name.startsWith('@') && pkg.name.includes('/');
      const component: Component = { type: 'library', 'bom-ref': purl, name: scoped ? pkg.name.slice(pkg.name.indexOf('/') + 1) : pkg.name, purl };
      if (scoped) component.group = pkg.name.slice(0, pkg.name.indexOf('/'));
      if (pkg.version) component.version = pkg.version;
      seen.set(purl, component);
    }
  }
  return [...seen.values()].sort((a, b) => (a.purl! < b.purl! ? -1 : 1));
}

/** `pkg:npm/%40scope/name@1.2.3` (the purl spec: the scope's `@` is percent-encoded). */
export function purlOf(name: string, version?: string): string {
  const encoded = name.split('/').map(encodeURIComponent).join('/');
  return `pkg:npm/${encoded}${version ? `@${encodeURIComponent(version)}` : ''}`;
}

/** One component per LLM provider (and model, where one was seen) the program called. */
function modelComponents(merged: MergedInventory): Component[] {
  const models = new Map<string, Component>();
  for (const evidence of merged.capabilities.find((c) => c.id === 'ai:model_call')?.evidence ?? []) {
    const provider = evidence.details?.provider ?? evidence.details?.api ?? (evidence.strength === 'loaded' ? evidence.who : undefined);
    if (!provider) continue;
    const model = evidence.details?.model;
    const ref = `model:${provider}${model ? `/${model}` : ''}`;
    if (models.has(ref)) continue;
    const properties: Property[] = [
      { name: 'aim:llm:provider', value: provider },
      { name: 'aim:llm:evidence', value: `${evidence.strength} ${evidence.api}${evidence.who === 'app' ? '' : ` by ${evidence.who}`}` },
    ];
    models.set(ref, { type: 'machine-learning-model', 'bom-ref': ref, name: model ?? provider, publisher: provider, properties });
  }
  return [...models.values()];
}

/** An MCP server as a service: its own name and version, where it is, how it is reached, its tools. */
function mcpService(server: McpServer, index: number): object {
  const properties: Property[] = [
    { name: 'aim:mcp:transport', value: server.transport },
    { name: 'aim:mcp:detectionMethod', value: server.detectionMethod },
    { name: 'aim:mcp:confidence', value: String(server.confidence) },
  ];
  if (server.command) properties.push({ name: 'aim:mcp:command', value: [server.command, ...(server.args ?? [])].join(' ') });
  if (server.protocolVersion) properties.push({ name: 'aim:mcp:protocolVersion', value: server.protocolVersion });
  if (server.clientLibrary) properties.push({ name: 'aim:mcp:clientLibrary', value: `${server.clientLibrary.name}${server.clientLibrary.version ? `@${server.clientLibrary.version}` : ''}` });
  if (server.failed) properties.push({ name: 'aim:mcp:failed', value: 'true' });
  for (const tool of server.tools ?? []) properties.push({ name: 'aim:mcp:tool', value: tool });
  for (const tool of server.toolsCalled ?? []) properties.push({ name: 'aim:mcp:toolCalled', value: tool });
  const service: Record<string, unknown> = { 'bom-ref': `mcp-server-${index + 1}`, name: server.serverInfo?.name ?? server.name };
  if (server.serverInfo?.version) service.version = server.serverInfo.version;
  service.description = `MCP server (${server.transport})`;
  if (server.url) service.endpoints = [server.url];
  service.properties = properties;
  return service;
}
