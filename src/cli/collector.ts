import { startCollector, DEMO_AGENT, DEMO_KEY, type SeedAgent } from '../collector/index.js';

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

Control routes for tests: POST /__aim/faults {route,status|delay|hang|reset|garbage,count},
DELETE /__aim/faults, GET /__aim/received, POST /__aim/revoke {agentId,capabilityType},
POST /__aim/enforcement {mode}, POST /__aim/clock {offsetMs}.
`;

export async function collector(args: string[]): Promise<number> {
  let port = 8080;
  let host = '127.0.0.1';
  let store: string | undefined;
  let demo = true;
  let rateLimit = 100;
  let quiet = false;
  let protocol: 'api-key' | 'signed' = 'api-key';
  let enforcement: 'monitoring' | 'strict' = 'monitoring';
  const agents: SeedAgent[] = [];
  const keys: string[] = [];

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return 0;
      case '--port':
        port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port: not a port number`);
        break;
      case '--host':
        host = value();
        break;
      case '--store':
        store = value();
        break;
      case '--agent': {
        const m = /^([^=]+)=([0-9a-fA-F-]{36})(?::(.*))?$/.exec(value());
        if (!m) return fail('--agent: expected NAME=UUID or NAME=UUID:cap,!cap');
        agents.push({ name: m[1]!, id: m[2]!, capabilities: m[3] ? m[3].split(',').filter(Boolean) : [] });
        break;
      }
      case '--key':
        keys.push(value());
        break;
      case '--no-demo':
        demo = false;
        break;
      case '--rate-limit':
        rateLimit = Number(value());
        if (!Number.isInteger(rateLimit) || rateLimit < 0) return fail('--rate-limit: not a number');
        break;
      case '--protocol': {
        const v = value();
        if (v !== 'api-key' && v !== 'signed') return fail('--protocol: api-key or signed');
        protocol = v;
        break;
      }
      case '--enforcement': {
        const v = value();
        if (v !== 'monitoring' && v !== 'strict') return fail('--enforcement: monitoring or strict');
        enforcement = v;
        break;
      }
      case '--quiet':
        quiet = true;
        break;
      default:
        return fail(`unknown option ${JSON.stringify(arg)}`);
    }
  }
  if (process.env.AIM_API_KEY) keys.push(process.env.AIM_API_KEY);
  if (demo) {
    agents.unshift(DEMO_AGENT);
    keys.unshift(DEMO_KEY);
  }
  if ((protocol === 'api-key' && !agents.length) || !keys.length) return fail('no agents or no keys: give --agent and --key, or drop --no-demo');

  const server = await startCollector({
    port,
    host,
    ...(store ? { store } : {}),
    agents,
    keys: keys.map((key, i) => ({ key, label: demo && i === 0 ? 'demo-key' : `key-${i + (demo ? 0 : 1)}` })),
    rateLimit,
    protocol,
    enforcement,
    log: quiet ? () => {} : (line) => process.stderr.write(line + '\n'),
  });

  const lines = [`aim collector listening on ${server.url} (${protocol} generation)${store ? ` (store: ${store})` : ''}`];
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
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`aim collector: ${message}\n`);
  return 2;
}
