import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultStateDir, readPrivateFile, sanitizeLines, warn, writePrivateFile } from '../platform/index.js';
import { startCollector, isControlToken, DEMO_AGENT, DEMO_KEY, type SeedAgent } from '../collector/index.js';

const HELP = `usage: aim collector [options]

A small AIM-compatible server on this machine: AIM's API-key routes, status codes and quirks,
one line per report on stderr. Point the agent at it with AIM_URL.

  --port N              port (default 8080; 0 picks a free one)
  --host H              address to listen on (default 127.0.0.1)
  --store FILE          append every request to FILE (JSON lines) and replay it at start
  --agent NAME=UUID     an agent AIM knows (repeatable); NAME=UUID:cap,!cap seeds capabilities
                        (a leading ! marks one revoked by an administrator)
  --key KEY             an API key AIM accepts (repeatable); AIM_API_KEY is accepted too
  --no-demo             no built-in demo agent and key
  --rate-limit N        requests per minute per key (default 100, AIM's; 0: off)
  --protocol P          which generation of AIM to play: api-key (default; the key on every
                        call) or signed (current AIM: the key only registers an agent with its
                        Ed25519 public key, every call is signed and checked)
  --enforcement M       signed: capabilities/register grants (monitoring, default) or holds
                        them for approval with 202 (strict)
  --quiet               no line per request
  --token-file FILE     where to write the control token (0600; default
                        ~/.local/state/aim/collector-<port>.token, removed at exit)
  --token TOKEN         use this control token instead of a random one (16 or more
                        characters; other users can read a command line: prefer the file)

Control routes for tests, with the token printed at start (Authorization: Bearer <token>):
POST /__aim/faults {route,status|delay|hang|reset|garbage,count},
DELETE /__aim/faults, GET /__aim/received, POST /__aim/revoke {agentId,capabilityType},
POST /__aim/enforcement {mode}, POST /__aim/clock {offsetMs}, GET /__aim/mcp-servers (signed:
MCP server records with each agent's tools and usage).
`;

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      store: { type: 'string' },
      agent: { type: 'string', multiple: true, default: [] },
      key: { type: 'string', multiple: true, default: [] },
      'no-demo': { type: 'boolean', default: false },
      'rate-limit': { type: 'string', default: '100' },
      protocol: { type: 'string', default: 'api-key' },
      enforcement: { type: 'string', default: 'monitoring' },
      quiet: { type: 'boolean', default: false },
      token: { type: 'string' },
      'token-file': { type: 'string' },
    },
  }).values;
}

export async function collector(args: string[]): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(args);
  } catch (error) {
    return fail((error as Error).message.split('\n')[0]!);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) return fail('--port: not a port number');
  const rateLimit = Number(values['rate-limit']);
  if (!/^\d+$/.test(values['rate-limit'])) return fail('--rate-limit: not a number');
  const protocol = values.protocol;
  if (protocol !== 'api-key' && protocol !== 'signed') return fail('--protocol: api-key or signed');
  const enforcement = values.enforcement;
  if (enforcement !== 'monitoring' && enforcement !== 'strict') return fail('--enforcement: monitoring or strict');
  const agents: SeedAgent[] = [];
  for (const given of values.agent) {
    const m = /^([^=]+)=([0-9a-fA-F-]{36})(?::(.*))?$/.exec(given);
    if (!m) return fail('--agent: expected NAME=UUID or NAME=UUID:cap,!cap');
    agents.push({ name: m[1]!, id: m[2]!, capabilities: m[3] ? m[3].split(',').filter(Boolean) : [] });
  }
  const keys = [...values.key];
  const { host, store, quiet } = values;
  const demo = !values['no-demo'];
  if (process.env.AIM_API_KEY) keys.push(process.env.AIM_API_KEY);
  if (demo) {
    agents.unshift(DEMO_AGENT);
    keys.unshift(DEMO_KEY);
  }
  if ((protocol === 'api-key' && !agents.length) || !keys.length) return fail('no agents or no keys: give --agent and --key, or drop --no-demo');
  const given = values.token;
  if (given !== undefined && !isControlToken(given)) return fail('--token: 16 to 512 characters of A-Z a-z 0-9 . _ ~ + / = -');

  const server = await startCollector({
    port,
    host,
    ...(store ? { store } : {}),
    agents,
    keys: keys.map((key, i) => ({ key, label: demo && i === 0 ? 'demo-key' : `key-${i + (demo ? 0 : 1)}` })),
    rateLimit,
    protocol,
    enforcement,
    ...(given ? { token: given } : {}),
    // A line quotes what clients sent: no terminal escapes reach the operator's screen.
    log: quiet ? () => {} : (line) => process.stderr.write(sanitizeLines(line) + '\n'),
  });

  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host)) {
    warn(
      'AIM-L001',
      `aim collector is listening on ${host}, not loopback: anyone who can reach this address can send reports (and, with the token, drive the control routes). ` +
        'It is a local test server; keep it on 127.0.0.1 unless you mean it.',
    );
  }
  const tokenFile = tokenFileFor(values['token-file'], given, server.port);
  const written = tokenFile !== undefined && writePrivateFile(tokenFile, server.token + '\n');
  if (tokenFile !== undefined && !written) {
    warn('AIM-L002', `cannot write the control token to ${tokenFile} (its directory must be yours and writable by nobody else); it is printed below only.`);
  }
  const lines = [`aim collector listening on ${server.url} (${protocol} generation)${store ? ` (store: ${store})` : ''}`];
  // The token goes to the operator's terminal, never into a log line; a --token the caller chose is not echoed.
  const where = written ? ` (in ${tokenFile})` : '';
  lines.push(`  control routes (/__aim/*): Authorization: Bearer ${given ? '<the --token given>' : server.token}${where}`);
  for (const a of agents) lines.push(`  agent ${a.name} ${a.id}`);
  if (demo && protocol === 'signed') {
    lines.push('', 'Report to it (the agent registers itself, signs every call):', `  AIM_URL=${server.url} AIM_API_KEY=${DEMO_KEY} \\`, '    node --import aim/register app.js');
  } else if (demo) {
    lines.push('', 'Report to it with the demo agent:', `  AIM_URL=${server.url} AIM_AGENT_ID=${DEMO_AGENT.id} AIM_API_KEY=${DEMO_KEY} \\`, '    node --import aim/register app.js');
  }
  process.stdout.write(lines.join('\n') + '\n');

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  if (written) removeIfStill(tokenFile, server.token);
  return 0;
}

/** The file to write the token to: the one named, else (a random token) one per port in aim's state dir. */
function tokenFileFor(named: string | undefined, given: string | undefined, port: number): string | undefined {
  if (named) return resolve(named);
  if (given) return undefined;
  return join(defaultStateDir(), `collector-${port}.token`);
}

/** At exit: the token file goes, unless someone (a later collector) has written another token there. */
function removeIfStill(file: string, token: string): void {
  if (readPrivateFile(file)?.trim() !== token) return;
  try {
    rmSync(file);
  } catch {
    // already gone
  }
}

function fail(message: string): number {
  process.stderr.write(`aim collector: ${message}\n`);
  return 2;
}
