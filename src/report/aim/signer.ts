import { hasMlDsa, warn } from '../../platform/index.js';
import {
  generateMlDsaKeyPair,
  isHybrid,
  mlDsaPrivateKey,
  mlDsaPublicKeyOf,
  mlDsaVariantOf,
  privateKeyFromBase64,
  signRequest,
  type Algorithm,
  type MlDsaKeyPair,
} from '../../protocol/index.js';
import type { Credentials } from './credentials.js';
import type { SignatureMemo } from './fleet.js';
import type { HttpResult } from './http.js';

/**
 * Which signature the signed generation puts on its requests (AIM_SIGNATURE_ALGORITHM), and the
 * way down when it cannot: this Node has no ML-DSA (AIM-R017), the credentials hold no key of the
 * variant asked (AIM-R018), or AIM refuses what was signed and takes a weaker one (AIM-R019:
 * upstream's middleware cannot check a hybrid at all, and AIM knows an agent's ML-DSA key only once
 * a member registered it with `POST /api/v1/agents/{id}/pqc-key`). One warning each, per process.
 * Signing with less than asked never weakens anything AIM checks: the server decides what it
 * accepts for the agent, and Ed25519 it accepts anyway.
 */
export interface AlgorithmChoice {
  algorithm: Algorithm;
  /** Why not the one asked for: a warning's code and words. */
  problem?: { code: string; text: string };
}

/** What the credentials and this Node allow of `wanted`. Never throws, never warns. */
export function chooseAlgorithm(creds: Credentials, wanted: Algorithm, where: string): AlgorithmChoice {
  const variant = mlDsaVariantOf(wanted);
  if (!variant) return { algorithm: 'Ed25519' };
  if (!hasMlDsa()) {
    return {
      algorithm: 'Ed25519',
      problem: {
        code: 'AIM-R017',
        text: `AIM_SIGNATURE_ALGORITHM asks for ${wanted}, but this Node (${process.version}) has no ML-DSA in node:crypto (Node 24 and later have it); requests are signed with Ed25519.`,
      },
    };
  }
  const why =
    creds.pqcKeyAlgorithm === undefined
      ? 'they have no ML-DSA key (made at registration on a Node with ML-DSA; not with AIM_PRIVATE_KEY)'
      : creds.pqcKeyAlgorithm !== variant
        ? `their ML-DSA key is ${creds.pqcKeyAlgorithm}`
        : !mlDsaKeyOf(creds)
          ? 'their ML-DSA key is not valid'
          : undefined;
  if (why) {
    return {
      algorithm: 'Ed25519',
      problem: { code: 'AIM-R018', text: `AIM_SIGNATURE_ALGORITHM asks for ${wanted}, but the agent's credentials (${where}) cannot sign it: ${why}; requests are signed with Ed25519.` },
    };
  }
  return { algorithm: wanted };
}

/** The credentials' ML-DSA key, when its public half is the one written beside it. */
function mlDsaKeyOf(creds: Credentials): { publicKey: string; privateKey: ReturnType<typeof mlDsaPrivateKey> & object } | undefined {
  if (!creds.pqcKeyAlgorithm || !creds.pqcPrivateKey || !creds.pqcPublicKey) return undefined;
  const key = mlDsaPrivateKey(creds.pqcKeyAlgorithm, creds.pqcPrivateKey);
  if (!key) return undefined;
  try {
    return mlDsaPublicKeyOf(creds.pqcKeyAlgorithm, key) === creds.pqcPublicKey ? { publicKey: creds.pqcPublicKey, privateKey: key } : undefined;
  } catch {
    return undefined;
  }
}

/** The next weaker signature: a hybrid's ML-DSA alone, then Ed25519. */
export function weakerThan(algorithm: Algorithm): Algorithm | undefined {
  if (algorithm === 'Ed25519') return undefined;
  return isHybrid(algorithm) ? mlDsaVariantOf(algorithm) : 'Ed25519';
}

/** Whether AIM refused the signature itself (not the clock): 401, a 400 for the algorithm, 431 for the headers' size. */
export function refusedSignature(r: HttpResult, isTimestamp: (body: unknown) => boolean): boolean {
  if (r.status === 431) return true;
  const error = String((r.body as { error?: unknown } | undefined)?.error ?? '');
  if (r.status === 400) return /unsupported algorithm/i.test(error);
  return r.status === 401 && !isTimestamp(r.body);
}

/**
 * After AIM refused a post-quantum signature (`result`): the next weaker one, one step at a time;
 * the first AIM accepts is kept (settle). Otherwise the last answer.
 */
export async function stepDown(signer: Signer, result: HttpResult, attempt: (algorithm: Algorithm) => Promise<HttpResult>, isTimestamp: (body: unknown) => boolean): Promise<HttpResult> {
  for (let next = weakerThan(signer.algorithm); next && refusedSignature(result, isTimestamp); next = weakerThan(next)) {
    const r = await attempt(next);
    if (!refusedSignature(r, isTimestamp)) {
      signer.settle(next, result);
      return r;
    }
    result = r;
  }
  return result;
}

/**
 * The ML-DSA key made at registration, where this Node has ML-DSA, whatever is asked today (a later
 * AIM_SIGNATURE_ALGORITHM needs no new registration), and the agent's fields for it, AIM's names.
 */
export function registrationKey(wanted: Algorithm): { pair?: MlDsaKeyPair; fields: Record<string, unknown> } {
  const pair = hasMlDsa() ? generateMlDsaKeyPair(mlDsaVariantOf(wanted) ?? 'ML-DSA-65') : undefined;
  if (!pair) return { fields: {} };
  return { pair, fields: { pqcPublicKey: pair.publicKey, pqcKeyAlgorithm: pair.algorithm, hybridModeEnabled: isHybrid(wanted) } };
}

export interface Signer {
  /** What requests are signed with now. */
  readonly algorithm: Algorithm;
  headers(algorithm: Algorithm, method: string, target: string, payload: string | undefined, timestamp: number): Record<string, string>;
  /** AIM refused `algorithm` (`refusal`) and took `accepted`: sign with that from now on, said once. */
  settle(accepted: Algorithm, refusal: HttpResult): void;
}

/** How long a refusal is remembered on this machine (the fleet state): then one process asks again. */
export const SIGNATURE_MEMO_MS = 3600_000;

export interface SignerOptions {
  /** Where the warnings go (default: stderr, once per code; `aim doctor` prints them itself). */
  say?: (code: string, text: string) => void;
  /** The fleet's memory of what AIM refused, so the agent's other processes do not ask again. */
  memo?: { get(): SignatureMemo | undefined; set(memo: SignatureMemo): void };
}

export function createSigner(creds: Credentials, wanted: Algorithm, where: string, options: SignerOptions = {}): Signer {
  const say = options.say ?? warn;
  const choice = chooseAlgorithm(creds, wanted, where);
  if (choice.problem) say(choice.problem.code, choice.problem.text);
  const ed25519 = privateKeyFromBase64(creds.privateKey)!;
  const mlDsa = choice.algorithm === 'Ed25519' ? undefined : mlDsaKeyOf(creds);
  let algorithm = choice.algorithm;
  const remembered = options.memo?.get();
  if (remembered && remembered.asked === algorithm && Date.now() - Date.parse(remembered.at) < SIGNATURE_MEMO_MS) {
    const accepted = remembered.accepted as Algorithm;
    for (let a = weakerThan(algorithm); a; a = weakerThan(a)) {
      if (a !== accepted) continue;
      algorithm = accepted;
      say('AIM-R019', `AIM refused the ${remembered.asked} signature at ${remembered.at} (HTTP ${remembered.status}: ${remembered.said}) and accepted ${accepted}; signing with ${accepted} (asked again an hour after).`);
      break;
    }
  }
  return {
    get algorithm() {
      return algorithm;
    },
    headers(use, method, target, payload, timestamp) {
      return signRequest({ method, target, body: payload, agentId: creds.agentId, publicKey: creds.publicKey, privateKey: ed25519, timestamp, algorithm: use, ...(mlDsa ? { mlDsa } : {}) });
    },
    settle(accepted, refusal) {
      const before = algorithm;
      algorithm = accepted;
      const said = String((refusal.body as { error?: unknown } | undefined)?.error ?? '').slice(0, 200);
      options.memo?.set({ asked: before, accepted, status: refusal.status, said, at: new Date().toISOString() });
      const why =
        accepted === 'Ed25519'
          ? `AIM has no ML-DSA key for agent ${creds.agentId}: a member of the organisation registers it with POST /api/v1/agents/${creds.agentId}/pqc-key ` +
            `{"publicKey": pqcPublicKey of ${where}, "algorithm": "${creds.pqcKeyAlgorithm ?? 'ML-DSA-65'}", "enableHybrid": ${isHybrid(wanted)}} (aim doctor says the same)`
          : "AIM's middleware does not verify hybrid signatures (it refuses every one); ML-DSA alone is checked";
      say('AIM-R019', `AIM refused the ${before} signature (HTTP ${refusal.status}${said ? `: ${said}` : ''}) and accepted ${accepted}: ${why}. Signing with ${accepted} for this process.`);
    },
  };
}
