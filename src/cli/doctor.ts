import { loadConfig } from '../config/index.js';
import { isUuid, privateDirProblem, sanitizeLines } from '../platform/index.js';
import { agentPath, readAgentView } from '../protocol/index.js';
import { agentNameFor } from '../report/aim/agent-name.js';
import { defaultSpoolDir } from '../report/aim/files.js';
import { createNodeHttpTransport, TransportError, type HttpResult } from '../report/aim/http.js';
import { keyMayTravel } from '../report/aim/keys.js';
import { errorText, SIGNED_ONLY } from '../report/aim/outcome.js';
import { describeSpool, describeThisMachine, unreachable } from './doctor-local.js';
import { doctorSigned, whichGeneration } from './doctor-signed.js';

const HELP = `usage: aim doctor

Checks the AIM settings of this environment (AIM_API_KEY, AIM_URL, AIM_AGENT_ID, ...), reaches the
AIM server, validates the key and the agent, and says in plain words what is wrong.
Exit code 0 when reporting would work, 1 when it would not.
`;

export async function doctor(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const out: string[] = [];
  const ok = (m: string): void => void out.push(`  ok    ${m}`);
  const bad = (m: string): void => void out.push(`  FAIL  ${m}`);
  const note = (m: string): void => void out.push(`  note  ${m}`);
  // Lines quote AIM's answers and the environment: no terminal escapes reach the screen.
  const print = (): void => void process.stdout.write(sanitizeLines(out.join('\n')) + '\n');
  let healthy = true;
  const failed = (m: string): void => {
    healthy = false;
    bad(m);
  };

  out.push('aim doctor', '');
  const config = loadConfig();
  if (config.disabled) note('AIM_DISABLED is set: the agent loads nothing and reports nothing.');
  describeThisMachine(config, note, failed);

  const rawKey = (process.env.AIM_API_KEY ?? '').trim();
  if (!rawKey) failed('AIM_API_KEY is not set: reporting to AIM is off. Create a key in AIM (API keys) and export it.');
  else if (!config.apiKey) {
    failed(`AIM_API_KEY is set (${rawKey.length} characters) but is not an AIM key: it should look like aim_live_ followed by 44 characters.`);
  } else ok(`AIM_API_KEY is set (${config.apiKey.slice(0, 9)}…, ${config.apiKey.length} characters).`);

  // Exactly what the agent would use: a value it rejects is a failure here, never the default.
  for (const name of config.invalid.filter((n) => n !== 'AIM_API_KEY')) {
    failed(`${name} is not valid (see the warning above); the agent ${name === 'AIM_URL' || name === 'AIM_BASE_URL' || name === 'AIM_AGENT_ID' || name === 'AIM_PRIVATE_KEY' ? 'turns reporting off' : 'uses the default'}.`);
  }
  const urlInvalid = config.invalid.includes('AIM_URL') || config.invalid.includes('AIM_BASE_URL');
  let url: URL | undefined;
  try {
    url = urlInvalid ? undefined : new URL(config.url);
  } catch {
    failed('AIM_URL is not a URL.');
  }
  const urlGiven = Boolean(process.env.AIM_URL || process.env.AIM_BASE_URL);
  if (url) {
    if (!keyMayTravel(url)) failed(`AIM_URL ${url.origin} is plain http to a host that is not loopback: the key goes only over https.`);
    else ok(`AIM_URL is ${url.origin}${url.pathname === '/' ? '' : url.pathname}${urlGiven ? '' : ' (the default)'}.`);
  }
  const spoolDir = config.spoolDir || defaultSpoolDir();
  for (const dir of [spoolDir, `${spoolDir}.state`]) {
    const problem = privateDirProblem(dir);
    if (problem) failed(`${dir} is ${problem}: the agent keeps no spool or state there (AIM-F001).`);
  }

  // The agent's name (signed generation: registered under it; API-key generation: read by it).
  const name = agentNameFor(config.agentName || (isUuid(config.agentId) ? '' : config.agentId), ['node', 'app'], process.cwd());
  const agentRef = config.agentId || name;
  if (!config.agentId && config.protocol === 'api-key') failed('AIM_AGENT_ID is not set: give the id (UUID) or the name of the agent in AIM.');
  else if (!config.agentId) note(`AIM_AGENT_ID is not set: aim uses the agent name ${JSON.stringify(name)} (AIM_AGENT_NAME, else package.json).`);
  else ok(`AIM_AGENT_ID is ${JSON.stringify(config.agentId)}.`);

  note(`AIM_REPORT_POTENTIAL is ${config.reportPotential ? 'on' : 'off'}; flush at exit up to ${config.flushTimeoutMs} ms.`);

  if (!healthy || !url || !config.apiKey || !agentRef) {
    out.push('', 'Reporting would be off. Fix the lines marked FAIL.');
    print();
    return 1;
  }

  const http = createNodeHttpTransport(url, config.apiKey, 'aim-node-doctor', true);
  try {
    let health: HttpResult | undefined;
    try {
      health = await http.request('GET', '/health', undefined, { timeoutMs: 5000 });
    } catch (error) {
      const code = error instanceof TransportError ? error.code : 'ERROR';
      failed(unreachable(url.origin, code));
      describeSpool(config, url, agentRef, note);
      out.push('', 'Reporting would not get through.');
      print();
      return 1;
    }
    ok(`${url.origin} answers (GET /health: ${health.status}).`);
    const { generation, how } = await whichGeneration(config, url, agentRef);
    ok(`protocol generation: ${generation} (${how}).`);
    if (generation === 'signed') {
      const good = (await doctorSigned(config, url, agentRef, name, { ok, note, failed })) && healthy;
      out.push('', good ? 'Reporting to AIM would work.' : 'Reporting would not get through. Fix the lines marked FAIL.');
      print();
      return good ? 0 : 1;
    }

    let agent: HttpResult;
    try {
      agent = await http.request('GET', agentPath(agentRef, 'agent'), undefined, { timeoutMs: 5000 });
    } catch (error) {
      const code = error instanceof TransportError ? error.code : 'ERROR';
      failed(`reading the agent failed (${code}).`);
      print();
      return 1;
    }
    const view = agent.status === 200 ? readAgentView(agent.body) : undefined;
    if (view) {
      ok(`the key is accepted and the agent exists: ${view.name ?? '?'} (${view.id})${view.status ? `, status ${view.status}` : ''}.`);
      note(`AIM lists ${view.granted.length} capabilities for it${view.granted.length ? `: ${view.granted.join(', ')}` : ''}.`);
      if (view.revoked.length) note(`revoked by an administrator (aim will not grant them again): ${view.revoked.join(', ')}.`);
    } else if (agent.status === 200) failed('the server answered 200 but not with an agent: is AIM_URL an AIM server?');
    else if (agent.status === 401 && !/api key/i.test(errorText(agent))) failed(SIGNED_ONLY.replace(' Reporting is off for this process.', ''));
    else if (agent.status === 401) failed('AIM refused the key (401): it may be mistyped, disabled or expired. Create a new one in AIM.');
    else if (agent.status === 403) failed('AIM says the agent belongs to another organisation than the key (403).');
    else if (agent.status === 404) failed(`AIM has no agent ${JSON.stringify(agentRef)} (404): check AIM_AGENT_ID (an id, or the exact name).`);
    else if (agent.status === 429) failed('AIM is rate limiting this key right now (429): try again in a minute.');
    else failed(`AIM answered ${agent.status} when reading the agent.`);
    if (!view) healthy = false;
  } finally {
    http.close();
  }

  describeSpool(config, url, agentRef, note);

  out.push('', healthy ? 'Reporting to AIM would work.' : 'Reporting would not get through. Fix the lines marked FAIL.');
  print();
  return healthy ? 0 : 1;
}
