import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureOwnDir, isUuid, writePrivateFile } from '../../platform/index.js';
import { isMlDsaVariant, privateKeyFromBase64, publicKeyOf, type MlDsaVariant } from '../../protocol/index.js';

/**
 * The agent's identity in AIM's signed generation: `{agentId, publicKey, privateKey}`, from
 * AIM_AGENT_ID + AIM_PRIVATE_KEY, or from a credentials file (mode 0600) written when this
 * machine registered the agent. Many processes starting at once (NODE_OPTIONS) register once:
 * the first takes an exclusive lock file, the others wait briefly and read what it wrote.
 * The private key is never logged, never in an error, a report or any file but this one.
 */
export interface Credentials {
  agentId: string;
  publicKey: string;
  privateKey: string;
  /**
   * The ML-DSA key made beside the Ed25519 one at registration, where this Node has ML-DSA (AIM's
   * names: `pqcKeyAlgorithm`, `pqcPublicKey`; the private key is the 32-byte seed). Files written
   * before, or on a Node without ML-DSA, have none: they are read as before.
   */
  pqcKeyAlgorithm?: MlDsaVariant;
  pqcPublicKey?: string;
  pqcPrivateKey?: string;
}

/** Reads and checks a credentials file; undefined when missing or not usable. Never throws. */
export function readCredentialsFile(file: string): Credentials | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Credentials>;
    if (typeof data.agentId !== 'string' || typeof data.privateKey !== 'string') return undefined;
    const key = privateKeyFromBase64(data.privateKey);
    if (!key) return undefined;
    const publicKey = publicKeyOf(key);
    if (data.publicKey !== undefined && data.publicKey !== publicKey) return undefined;
    const creds: Credentials = { agentId: data.agentId, publicKey, privateKey: data.privateKey };
    // Taken as written; checked (and warned about) only when ML-DSA is asked for (signer.ts).
    if (isMlDsaVariant(data.pqcKeyAlgorithm) && typeof data.pqcPublicKey === 'string' && typeof data.pqcPrivateKey === 'string') {
      Object.assign(creds, { pqcKeyAlgorithm: data.pqcKeyAlgorithm, pqcPublicKey: data.pqcPublicKey, pqcPrivateKey: data.pqcPrivateKey });
    }
    return creds;
  } catch {
    return undefined;
  }
}

/** Writes the credentials file atomically with mode 0600 (directory 0700). Never throws. */
export function writeCredentialsFile(file: string, credentials: Credentials): boolean {
  const text = JSON.stringify({ ...credentials, createdAt: new Date().toISOString(), createdBy: 'aim-node' }, null, 2);
  return writePrivateFile(file, `${text}\n`);
}

/** From AIM_AGENT_ID + AIM_PRIVATE_KEY; `bad` when the key is not an Ed25519 key (never echoed). */
export function credentialsFromEnv(agentId: string, privateKey: string): Credentials | 'bad' | undefined {
  if (!privateKey) return undefined;
  const key = privateKeyFromBase64(privateKey);
  if (!key || !isUuid(agentId)) return 'bad';
  return { agentId: agentId.toLowerCase(), publicKey: publicKeyOf(key), privateKey };
}

export type LockResult<T> = { kind: 'mine'; value: T } | { kind: 'theirs'; credentials: Credentials } | { kind: 'timeout' };

export interface LockOptions {
  /** How long to wait for another process's registration. */
  waitMs: number;
  /** A lock older than this is left over from a crashed process. */
  staleMs: number;
  stepMs?: number;
}

/**
 * Runs `register` under `<file>.lock` (O_EXCL), unless the credentials file appears first
 * (another process registered). Waits are unref'd timers: the app never waits on us.
 */
export async function withRegistrationLock<T>(
  file: string,
  register: () => Promise<T>,
  options: LockOptions,
): Promise<LockResult<T>> {
  const lock = `${file}.lock`;
  const end = Date.now() + options.waitMs;
  const step = options.stepMs ?? 50;
  // Not a recursive mkdir (it loops for ever under /proc); openSync below says what is wrong.
  ensureOwnDir(path.dirname(file));
  for (;;) {
    const existing = readCredentialsFile(file);
    if (existing) return { kind: 'theirs', credentials: existing };
    let fd: number | undefined;
    try {
      fd = fs.openSync(lock, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { kind: 'timeout' };
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > options.staleMs) fs.unlinkSync(lock);
      } catch {
        // gone meanwhile
      }
      if (Date.now() >= end) return { kind: 'timeout' };
      await new Promise((r) => setTimeout(r, step).unref());
      continue;
    }
    try {
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      // Registered between our read and our lock?
      const late = readCredentialsFile(file);
      if (late) return { kind: 'theirs', credentials: late };
      return { kind: 'mine', value: await register() };
    } finally {
      try {
        fs.unlinkSync(lock);
      } catch {
        // already gone
      }
    }
  }
}

/** A file's permission bits (`0600`), or undefined. */
export function fileMode(file: string): string | undefined {
  try {
    return (fs.statSync(file).mode & 0o777).toString(8).padStart(4, '0');
  } catch {
    return undefined;
  }
}
