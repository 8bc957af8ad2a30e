// The preloads compared, as node flags per app. Every agent uses its documented preload flag; each
// backend endpoint points at a closed loopback port (see BASE_ENV), so nothing leaves the machine.
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const BASE_ENV = {
  DD_TRACE_AGENT_URL: 'http://127.0.0.1:59999',
  DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
  DD_REMOTE_CONFIGURATION_ENABLED: 'false',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:59999',
  // the default 'all' probes cloud metadata addresses
  OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance,container',
  SENTRY_DSN: 'http://public@127.0.0.1:59999/1'
}

/**
 * id, label, control (not an "agent" in rankings), flags(app, ctx) -> string[] | null (null: not run).
 * ctx = { benchDir, aimDist, aimAlt, node }
 */
export const AGENTS = [
  { id: 'plain', label: 'plain node', control: true, flags: () => [] },
  { id: 'empty', label: 'empty --import', control: true, flags: (app, c) => ['--import', './preloads/empty.mjs'] },
  { id: 'noop-sync', label: 'no-op sync hooks', control: true, flags: (app, c) => c.node?.sync ? ['--import', './preloads/noop-sync.mjs'] : null },
  {
    id: 'aim',
    label: 'aim (--import)',
    flags: (app, c) => c.aimDist ? ['--import', join(c.aimDist, 'register.mjs')] : null
  },
  {
    id: 'aim-require',
    label: 'aim (--require)',
    flags: (app, c) => c.aimDist && app.endsWith('.cjs') ? ['--require', join(c.aimDist, 'register.cjs')] : null
  },
  {
    // --aim-alt DIR: a second aim build (e.g. a candidate fix) measured side by side with the first
    id: 'aim-alt',
    label: 'aim (alt build)',
    flags: (app, c) => c.aimAlt ? ['--import', join(c.aimAlt, 'register.mjs')] : null
  },
  { id: 'min', label: 'RITM+IITM bare', flags: () => ['--import', './preloads/min-register.mjs'] },
  {
    id: 'otel',
    label: 'OpenTelemetry',
    env: { OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
    flags: () => ['--import', '@opentelemetry/auto-instrumentations-node/register']
  },
  { id: 'dd', label: 'dd-trace', flags: () => ['--import', 'dd-trace/initialize.mjs'] },
  { id: 'sentry', label: 'Sentry', flags: () => ['--import', '@sentry/node/import'] }
]

export function aimDistOk (dir) {
  return Boolean(dir) && existsSync(join(dir, 'register.mjs')) && existsSync(join(dir, 'register.cjs'))
}
