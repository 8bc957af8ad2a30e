import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Post-quantum request signatures as AIM's PQCAgentMiddleware reads them
 * (apps/backend/internal/interfaces/http/middleware/pqc_agent_auth.go, crypto/pqc/algorithms.go):
 * ML-DSA (FIPS 204, pure, empty context: what circl's `mldsaXX.Verify(pk, msg, nil, sig)` checks)
 * over the same bytes as agent-request-v1, with node:crypto's `ml-dsa-44/65/87` (Node 24 and later;
 * 20 and 22 have none). Keys travel as AIM stores them: std base64 of the raw FIPS 204 public key;
 * the private key is kept as its 32-byte seed.
 */
export const ALGORITHMS = ['Ed25519', 'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87', 'Ed25519+ML-DSA-44', 'Ed25519+ML-DSA-65', 'Ed25519+ML-DSA-87'] as const;
/** AIM's `X-Algorithm` values (pqc.Algorithm). */
export type Algorithm = (typeof ALGORITHMS)[number];
export type MlDsaVariant = 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87';

/** Public key and signature sizes (pqc.MLDSAxxPublicKeySize / SignatureSize), and the OID's last byte. */
const SIZES: Record<MlDsaVariant, { publicKey: number; signature: number; oid: number }> = {
  'ML-DSA-44': { publicKey: 1312, signature: 2420, oid: 0x11 },
  'ML-DSA-65': { publicKey: 1952, signature: 3309, oid: 0x12 },
  'ML-DSA-87': { publicKey: 2592, signature: 4627, oid: 0x13 },
};

export function isAlgorithm(text: string): text is Algorithm {
  return (ALGORITHMS as readonly string[]).includes(text);
}

export function isHybrid(algorithm: Algorithm): boolean {
  return algorithm.startsWith('Ed25519+');
}

/** The ML-DSA part of an algorithm (pqc.GetMLDSAVariant), undefined for Ed25519. */
export function mlDsaVariantOf(algorithm: Algorithm): MlDsaVariant | undefined {
  return algorithm === 'Ed25519' ? undefined : (algorithm.replace('Ed25519+', '') as MlDsaVariant);
}

export function isMlDsaVariant(text: unknown): text is MlDsaVariant {
  return typeof text === 'string' && text in SIZES;
}

/** The public key's size for a variant, as GetExpectedPublicKeySize checks it. */
export function mlDsaPublicKeySize(variant: MlDsaVariant): number {
  return SIZES[variant].publicKey;
}

// DER around a raw key: SubjectPublicKeyInfo and the seed-only PKCS#8 OpenSSL writes (FIPS 204 OIDs 2.16.840.1.101.3.4.3.17-19).
const oid = (variant: MlDsaVariant) => Buffer.from([0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, SIZES[variant].oid]);

function spki(variant: MlDsaVariant, raw: Buffer): Buffer {
  const n = SIZES[variant].publicKey;
  const bits = Buffer.concat([Buffer.from([0x03, 0x82, (n + 1) >> 8, (n + 1) & 0xff, 0x00]), raw]);
  const algo = Buffer.concat([Buffer.from([0x30, 0x0b]), oid(variant)]);
  const len = algo.length + bits.length;
  return Buffer.concat([Buffer.from([0x30, 0x82, len >> 8, len & 0xff]), algo, bits]);
}

function pkcs8(variant: MlDsaVariant, seed: Buffer): Buffer {
  // SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING { [0] seed } }
  return Buffer.concat([Buffer.from('3034020100300b', 'hex'), oid(variant), Buffer.from('04228020', 'hex'), seed]);
}

export interface MlDsaKeyPair {
  algorithm: MlDsaVariant;
  /** std base64 of the raw public key, as AIM stores `pqcPublicKey`. */
  publicKey: string;
  /** std base64 of the 32-byte seed. Secret: never logged, never in a report. */
  privateKey: string;
}

/** A new ML-DSA key pair; undefined where this Node has no ML-DSA. */
export function generateMlDsaKeyPair(variant: MlDsaVariant): MlDsaKeyPair | undefined {
  try {
    const { publicKey, privateKey } = generateKeyPairSync(variant.toLowerCase() as 'ed25519');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const seed = der.subarray(der.length - 32);
    if (!pkcs8(variant, seed).equals(der)) return undefined;
    return { algorithm: variant, publicKey: rawPublicKey(variant, publicKey), privateKey: seed.toString('base64') };
  } catch {
    return undefined;
  }
}

function rawPublicKey(variant: MlDsaVariant, key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - SIZES[variant].publicKey).toString('base64');
}

/** The private key from its seed; undefined when not one, or where this Node has no ML-DSA. */
export function mlDsaPrivateKey(variant: MlDsaVariant, seedBase64: string): KeyObject | undefined {
  try {
    const seed = Buffer.from(seedBase64, 'base64');
    if (seed.length !== 32) return undefined;
    return createPrivateKey({ key: pkcs8(variant, seed), format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
}

/** std base64 of the public half of an ML-DSA private key. */
export function mlDsaPublicKeyOf(variant: MlDsaVariant, privateKey: KeyObject): string {
  return rawPublicKey(variant, createPublicKey(privateKey));
}

export function mlDsaPublicKey(variant: MlDsaVariant, base64: string): KeyObject | undefined {
  try {
    const raw = Buffer.from(base64, 'base64');
    if (raw.length !== SIZES[variant].publicKey) return undefined;
    return createPublicKey({ key: spki(variant, raw), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

export function mlDsaSign(privateKey: KeyObject, message: Buffer): Buffer {
  return sign(null, message, privateKey);
}

/** Whether `signature` is `variant`'s over `message` by the raw public key; false where this Node cannot tell. */
export function mlDsaVerify(variant: MlDsaVariant, publicKeyBase64: string, message: Buffer, signature: Buffer): boolean {
  const key = mlDsaPublicKey(variant, publicKeyBase64);
  if (!key || signature.length !== SIZES[variant].signature) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}
