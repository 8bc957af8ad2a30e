import type { LoadedConfig } from '../config/index.js';
import { agentPath, isTimestampRefusal, readAgentView, SIGNATURE_WINDOW_S, skewFromDate } from '../protocol/index.js';
import { credentialsFromEnv, fileMode, readCredentialsFile, type Credentials } from '../report/aim/credentials.js';
import { defaultCredentialsFile, defaultSpoolDir, fleetStatePath } from '../report/aim/files.js';
import { FleetState, type Generation } from '../report/aim/fleet.js';
import { createNodeHttpTransport, TransportError, type HttpResult } from '../report/aim/http.js';
import { createSigner, stepDown } from '../report/aim/signer.js';

/**
 * `aim doctor` for AIM's signed generation: which generation the server speaks, the agent's
 * credentials (where, file mode), the agent's status, clock skew, and capabilities pending or
 * revoked. Never prints the private key or the API key.
 */
export interface Say {
  ok(m: string): void;
  note(m: string): void;
  failed(m: string): void;
}

export function fleetFor(config: LoadedConfig, url: URL, agentRef: string): FleetState {
  return new FleetState(fleetStatePath(`${config.spoolDir || defaultSpoolDir()}.state`, url.href, agentRef));
}

/** AIM_PROTOCOL, else what an earlier run found, else one probe: an X-API-Key read refused without words about the key. */
export async function whichGeneration(config: LoadedConfig, url: URL, agentRef: string): Promise<{ generation: Generation; how: string }> {
  if (config.protocol !== 'auto') return { generation: config.protocol, how: 'AIM_PROTOCOL' };
  const remembered = fleetFor(config, url, agentRef).generation;
  if (remembered) return { generation: remembered, how: 'found by an earlier run' };
  const http = createNodeHttpTransport(url, config.apiKey, 'aim-node-doctor', true);
  try {
    const r = await http.request('GET', agentPath(agentRef, 'agent'), undefined, { timeoutMs: 5000 });
    const said = String((r.body as { error?: unknown } | undefined)?.error ?? '');
    if (r.status === 401 && !/api key/i.test(said)) return { generation: 'signed', how: 'this AIM refuses an API key on its agent routes' };
    return { generation: 'api-key', how: 'this AIM accepts the API key on its agent routes' };
  } catch {
    return { generation: 'api-key', how: 'not found out: the server did not answer' };
  } finally {
    http.close();
  }
}

/** The signed generation's checks; false when reporting would not work. */
export async function doctorSigned(config: LoadedConfig, url: URL, agentRef: string, name: string, say: Say): Promise<boolean> {
  const fleet = fleetFor(config, url, agentRef);
  let creds: Credentials | undefined;
  const fromEnv = credentialsFromEnv(config.agentId, config.privateKey);
  if (fromEnv === 'bad') {
    say.failed('AIM_PRIVATE_KEY is set but is not a base64 Ed25519 private key, or AIM_AGENT_ID is not the agent UUID.');
    return false;
  }
  if (fromEnv) {
    creds = fromEnv;
    say.ok(`credentials from AIM_AGENT_ID and AIM_PRIVATE_KEY (agent ${creds.agentId}).`);
  } else {
    const file = config.credentialsFile || defaultCredentialsFile(url.href, name);
    const mode = fileMode(file);
    if (mode === undefined) {
      const conflict = fleet.conflict;
      if (conflict?.name === name) {
        say.failed(
          `AIM refused to register ${JSON.stringify(name)} (409, ${conflict.at}): the name is taken and this machine has no credentials for it. ` +
            'Copy the credentials file from the machine that registered it (or set AIM_AGENT_ID and AIM_PRIVATE_KEY), ' +
            'or delete the old agent in AIM, or choose another name with AIM_AGENT_NAME.',
        );
        return false;
      }
      say.note(`no credentials yet: the first process registers agent ${JSON.stringify(name)} with the API key and keeps its key in ${file} (mode 0600).`);
      return true;
    }
    creds = readCredentialsFile(file);
    if (!creds) {
      say.failed(`the credentials file ${file} is not readable or not valid; move it away to register anew (the agent in AIM then needs a new name, or deleting).`);
      return false;
    }
    if (mode !== '0600') say.failed(`the credentials file ${file} has mode ${mode}: it holds a private key; run chmod 600 ${JSON.stringify(file)}.`);
    else say.ok(`credentials file ${file} (mode 0600), agent ${creds.agentId}.`);
  }

  const http = createNodeHttpTransport(url, '', 'aim-node-doctor', true);
  // The signature the reporter would use (AIM_SIGNATURE_ALGORITHM, or what this Node and the credentials allow).
  const where = fromEnv ? 'AIM_AGENT_ID/AIM_PRIVATE_KEY' : config.credentialsFile || defaultCredentialsFile(url.href, name);
  const words: string[] = [];
  const signer = createSigner(creds, config.signatureAlgorithm, where, { say: (code, text) => words.push(`${text} (${code})`) });
  if (words.length) say.note(`signature: ${words.splice(0).join(' ')}`);
  else say.ok(`signature algorithm: ${signer.algorithm}${config.signatureAlgorithm === 'Ed25519' ? ' (AIM_SIGNATURE_ALGORITHM: ed25519, the default)' : ' (AIM_SIGNATURE_ALGORITHM)'}.`);
  let skewS = fleet.skewS ?? 0;
  const read = (algorithm = signer.algorithm): Promise<HttpResult> =>
    http.request('GET', agentPath(creds.agentId, 'agent'), undefined, {
      timeoutMs: 5000,
      sign: (target, payload) => signer.headers(algorithm, 'GET', target, payload, Date.now() / 1000 + skewS),
    });
  let r: HttpResult;
  try {
    r = await read();
    const skew = skewFromDate(r.headers.date);
    if (skew !== undefined) {
      if (Math.abs(skew) > SIGNATURE_WINDOW_S) {
        say.note(`AIM's clock is ${skew} s off this machine's (signatures must be within ${SIGNATURE_WINDOW_S} s); aim signs with AIM's time.`);
      } else say.ok(`clock skew to AIM: ${skew} s (within ±${SIGNATURE_WINDOW_S} s).`);
      if (r.status === 401 && Math.abs(skew - skewS) > 2) {
        skewS = skew;
        r = await read();
      }
    }
    // A post-quantum signature AIM refuses: what the reporter falls back to, and why.
    const asked = signer.algorithm;
    r = await stepDown(signer, r, read, isTimestampRefusal);
    if (signer.algorithm !== asked) say.note(`signature: ${words.splice(0).join(' ')} Until then aim signs with ${signer.algorithm}.`);
  } catch (error) {
    say.failed(`reading the agent failed (${error instanceof TransportError ? error.code : 'ERROR'}).`);
    return false;
  } finally {
    http.close();
  }
  const reason = String((r.body as { reasonCode?: unknown } | undefined)?.reasonCode ?? '');
  const view = r.status === 200 ? readAgentView(r.body) : undefined;
  if (!view) {
    if (reason === 'agentKeyNotRecognized') {
      say.failed('AIM does not know this agent and key (agentKeyNotRecognized): the agent was deleted or its key rotated. Remove the credentials to register anew.');
    } else if (reason === 'agentStatusDenied') say.failed(`AIM does not let the agent authenticate: ${String((r.body as { error?: unknown }).error)}.`);
    else say.failed(`AIM answered ${r.status}${reason ? ` (${reason})` : ''} to the signed agent read.`);
    return false;
  }
  say.ok(`signed requests are accepted; agent ${view.name ?? '?'} (${view.id}), status ${view.status ?? '?'}.`);
  say.note(`AIM lists ${view.granted.length} capabilities for it${view.granted.length ? `: ${view.granted.join(', ')}` : ''}.`);
  if (view.revoked.length) say.note(`revoked by an administrator (aim will not grant them again): ${view.revoked.join(', ')}.`);
  const pending = fleet.pending().filter((c) => !view.granted.includes(c));
  if (pending.length) say.note(`pending an administrator's approval: ${pending.join(', ')}.`);
  return true;
}
