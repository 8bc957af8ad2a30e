import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { isAlgorithm, isHybrid, mlDsaSign, mlDsaVariantOf, mlDsaVerify, type Algorithm } from './pqc.js';

/**
 * AIM's `agent-request-v1` Ed25519 request signature (docs/aim-protocol.md, "Signatures"), shared by the
 * reporter (signing) and the local collector (verifying), so both read the same bytes the same way.
 *
 * Signed bytes: UPPER(method) "\n" requestTarget "\n" timestamp, then "\n" body when the body is
 * not empty. `requestTarget` is the path plus query as sent (no scheme, no host); the body is the
 * exact bytes sent (the server does not re-canonicalise JSON). Headers: X-Agent-ID, X-Timestamp
 * (Unix seconds, within 30 s of the server's clock), X-Signature (std base64 of the 64-byte
 * signature), X-Public-Key (std base64 of the 32-byte key). Never with an Authorization header:
 * the server then skips the signature and asks for a JWT.
 */
export const SIGNATURE_WINDOW_S = 30;

/** DER prefixes that wrap a raw 32-byte Ed25519 key as SPKI / PKCS#8 for node:crypto. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface AgentKeyPair {
  /** std base64 of the 32-byte public key, as AIM stores it. */
  publicKey: string;
  /** std base64 of the 32-byte seed. Secret: never logged, never in a report. */
  privateKey: string;
}

export function generateAgentKeyPair(): AgentKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: rawPublicKey(publicKey), privateKey: rawSeed(privateKey) };
}

/**
 * A private key from std base64: the 32-byte seed, or AIM's 64-byte form (seed ‖ public key).
 * Undefined when it is neither (the value is never echoed).
 */
export function privateKeyFromBase64(text: string): KeyObject | undefined {
  try {
    const raw = Buffer.from(text.trim(), 'base64');
    if (raw.length !== 32 && raw.length !== 64) return undefined;
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
    // The 64-byte form carries its public half: it must be the seed's.
    if (raw.length === 64 && !raw.subarray(32).equals(Buffer.from(rawPublicKey(createPublicKey(key)), 'base64'))) return undefined;
    return key;
  } catch {
    return undefined;
  }
}

export function publicKeyFromBase64(text: string): KeyObject | undefined {
  try {
    const raw = Buffer.from(text, 'base64');
    if (raw.length !== 32) return undefined;
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/** std base64 of the public half of a private key. */
export function publicKeyOf(privateKey: KeyObject): string {
  return rawPublicKey(createPublicKey(privateKey));
}

function rawPublicKey(key: KeyObject): string {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length).toString('base64');
}

function rawSeed(key: KeyObject): string {
  return key.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length).toString('base64');
}

/** The bytes agent-request-v1 signs. */
export function signingBytes(method: string, target: string, timestamp: string, body: string | Buffer | undefined): Buffer {
  const head = `${method.toUpperCase()}\n${target}\n${timestamp}`;
  if (body === undefined || body.length === 0) return Buffer.from(head, 'utf8');
  return Buffer.concat([Buffer.from(head + '\n', 'utf8'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

export interface SignInput {
  method: string;
  /** Path plus query, exactly as on the request line. */
  target: string;
  /** The exact body bytes sent, if any. */
  body?: string | Buffer;
  agentId: string;
  publicKey: string;
  privateKey: KeyObject;
  /** Unix seconds (already corrected for clock skew). */
  timestamp: number;
  /** Default `Ed25519` (no X-Algorithm header, as before ML-DSA). */
  algorithm?: Algorithm;
  /** The ML-DSA key of `algorithm` (std base64 raw public key, and the private key). */
  mlDsa?: { publicKey: string; privateKey: KeyObject };
}

/**
 * The headers of a signed request (pqc_agent_auth.go). Ed25519: X-Agent-ID, X-Timestamp,
 * X-Signature, X-Public-Key. ML-DSA-xx: X-Algorithm, X-Signature (the ML-DSA signature),
 * X-PQC-Public-Key, and X-Public-Key. Hybrid `Ed25519+ML-DSA-xx`: both signatures over the same
 * bytes, X-Signature-Ed25519 and X-Signature-MLDSA, X-Signature the Ed25519 one (the middleware's
 * fallback, and what a server without ML-DSA reads), both public keys.
 */
export function signRequest(input: SignInput): Record<string, string> {
  const timestamp = String(Math.floor(input.timestamp));
  const bytes = signingBytes(input.method, input.target, timestamp, input.body);
  const algorithm = input.algorithm ?? 'Ed25519';
  const headers: Record<string, string> = { 'x-agent-id': input.agentId, 'x-timestamp': timestamp };
  const ed25519 = (): string => sign(null, bytes, input.privateKey).toString('base64');
  if (algorithm === 'Ed25519' || !input.mlDsa) {
    return { ...headers, 'x-signature': ed25519(), 'x-public-key': input.publicKey };
  }
  const mldsa = mlDsaSign(input.mlDsa.privateKey, bytes).toString('base64');
  headers['x-algorithm'] = algorithm;
  if (isHybrid(algorithm)) {
    const classic = ed25519();
    Object.assign(headers, { 'x-signature': classic, 'x-signature-ed25519': classic, 'x-signature-mldsa': mldsa });
  } else headers['x-signature'] = mldsa;
  return { ...headers, 'x-public-key': input.publicKey, 'x-pqc-public-key': input.mlDsa.publicKey };
}

export type VerifyResult =
  | { ok: true; agentId: string; algorithm: Algorithm }
  | { ok: false; status: 400 | 401; error: string; reasonCode?: string; noSignature?: boolean };

export interface VerifyInput {
  method: string;
  target: string;
  body: string | Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** The registered public key (std base64) of the agent named by X-Agent-ID, if any. */
  registeredKey: (agentId: string) => string | undefined;
  /** The agent's registered ML-DSA key (AIM's `pqcPublicKey`), if any. */
  registeredPqcKey?: (agentId: string) => string | undefined;
  /** Unix seconds, server time. */
  now: number;
  windowS?: number;
}

/**
 * The server side, as AIM's middleware answers (docs/aim-protocol.md, latest refusal bodies), with
 * X-Algorithm as pqc_agent_auth.go reads it. One difference, on purpose: a hybrid is verified with
 * its ML-DSA variant, where upstream's middleware asks the key size of the hybrid name itself and
 * refuses every hybrid request ("unsupported ML-DSA algorithm in hybrid mode").
 */
export function verifyRequest(input: VerifyInput): VerifyResult {
  const h = (name: string): string | undefined => {
    const v = input.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const agentId = h('x-agent-id');
  const timestamp = h('x-timestamp');
  if (!agentId || !timestamp) {
    return { ok: false, status: 401, error: 'No authentication token provided', noSignature: true };
  }
  const algorithm = h('x-algorithm') || 'Ed25519';
  if (!isAlgorithm(algorithm)) return { ok: false, status: 400, error: `Unsupported algorithm: ${algorithm.slice(0, 40)}` };
  const registered = input.registeredKey(agentId.toLowerCase());
  const offered = h('x-public-key') ?? '';
  // Pure ML-DSA does not read X-Public-Key upstream; when it is sent it must still be the agent's.
  if (!registered || (registered !== offered && (algorithm === 'Ed25519' || isHybrid(algorithm) || offered))) {
    return { ok: false, status: 401, error: 'the signing key is not the registered key of a known agent', reasonCode: 'agentKeyNotRecognized' };
  }
  const ts = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
  if (!Number.isFinite(ts) || Math.abs(input.now - ts) > (input.windowS ?? SIGNATURE_WINDOW_S)) {
    return { ok: false, status: 401, error: 'Request timestamp expired or invalid', reasonCode: 'timestampOutOfWindow' };
  }
  const bytes = signingBytes(input.method, input.target, timestamp, input.body);
  const variant = mlDsaVariantOf(algorithm);
  // Key refusals carry no reason code, as upstream's refuseS1 writes them: only `error`.
  const refused = (error: string, reasonCode?: string): VerifyResult => ({ ok: false, status: 401, error, ...(reasonCode ? { reasonCode } : {}) });
  if (variant) {
    const pqcKey = input.registeredPqcKey?.(agentId.toLowerCase());
    const hybrid = isHybrid(algorithm);
    if (!pqcKey) return refused(hybrid ? 'Agent does not have PQC key registered for hybrid mode' : 'agent has no registered ML-DSA public key');
    const offeredPqc = h('x-pqc-public-key');
    if (offeredPqc && offeredPqc !== pqcKey) return refused('provided ML-DSA public key does not match registered key');
    const signature = hybrid ? h('x-signature-mldsa') : (h('x-signature') ?? h('x-signature-mldsa'));
    if (!signature) return refused(hybrid ? 'missing ML-DSA signature for hybrid mode' : 'missing ML-DSA signature', 'signatureInvalid');
    if (hybrid && !ed25519Good(registered, bytes, h('x-signature-ed25519') ?? h('x-signature'))) return refused('invalid Ed25519 signature in hybrid mode', 'signatureInvalid');
    if (!mlDsaVerify(variant, pqcKey, bytes, Buffer.from(signature, 'base64'))) {
      return refused(hybrid ? 'invalid ML-DSA signature in hybrid mode' : 'invalid ML-DSA signature', 'signatureInvalid');
    }
    return { ok: true, agentId: agentId.toLowerCase(), algorithm };
  }
  if (!ed25519Good(registered, bytes, h('x-signature'))) return refused('invalid Ed25519 signature', 'signatureInvalid');
  return { ok: true, agentId: agentId.toLowerCase(), algorithm };
}

function ed25519Good(publicKey: string, bytes: Buffer, signatureBase64: string | undefined): boolean {
  const key = publicKeyFromBase64(publicKey);
  const signature = Buffer.from(signatureBase64 ?? '', 'base64');
  try {
    return Boolean(key) && signature.length === 64 && verify(null, bytes, key!, signature);
  } catch {
    return false;
  }
}

/** Whether a 401 says the timestamp was outside the window (new reason code or the older text). */
export function isTimestampRefusal(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const b = body as { error?: unknown; reasonCode?: unknown };
  return /timestamp/i.test(String(b.reasonCode ?? '')) || /timestamp/i.test(String(b.error ?? ''));
}

/** Server clock minus ours, in seconds, from an HTTP `Date` header; undefined when unreadable. */
export function skewFromDate(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const server = Date.parse(value);
  if (Number.isNaN(server)) return undefined;
  return Math.round((server - now) / 1000);
}
