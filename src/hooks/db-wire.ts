import { databaseOfDriver, databaseProtocols, redisCapability, sqlCapability, verbOf } from '../catalog/index.js';
import { observe, type Caller } from '../observations/index.js';
import { health, internalError } from './health.js';

/**
 * The statements a database driver writes to its socket, read from the bytes it sends: only the
 * statement text's first part is looked at, and only the verb leaves this file. Each reader
 * gives up quietly on anything it does not recognise (a TLS stream, a partial message).
 */
const MAX_STATEMENT = 256;
/** Writes looked at per socket; then the socket's own `write` is taken away again. */
const WRITES_PER_SOCKET = 64;
/** Sockets tapped in all: enough for a pool's first connections. */
const MAX_SOCKETS = 32;

/** `postgres db:read`, …: what has been reported; tapping stops when every database has both. */
const reported = new Set<string>();
const tappedDatabases = new Set<string>();
let tapped = 0;

/**
 * Whether another socket to a known destination may be worth a look: a database was tapped and
 * not all its verbs were seen (a pool's second connection may carry the writes).
 */
export function statementsWanted(): boolean {
  return tapped > 0 && tapped < MAX_SOCKETS && [...tappedDatabases].some((database) => !bothSeen(database));
}

/**
 * When `caller` is a database driver whose protocol is read here, looks at what it writes to
 * `socket`: an own, non-enumerable `write` in front of the stream's, removed after a while.
 * Called after `Socket#connect` has run: connect resets an own `write` to the prototype's.
 */
export function readStatementsOf(socket: object, caller: Caller): void {
  const database = databaseOfDriver(caller.who);
  if (!database || !databaseProtocols.has(database) || tapped >= MAX_SOCKETS || bothSeen(database)) return;
  const write = (socket as { write?: unknown }).write;
  if (typeof write !== 'function' || Object.hasOwn(socket, 'write')) return;
  tapped++;
  tappedDatabases.add(database);
  let left = WRITES_PER_SOCKET;
  const peek = function (this: unknown, chunk: unknown): unknown {
    try {
      if (--left <= 0 || bothSeen(database)) delete (socket as { write?: unknown }).write;
      if (!health.inert) noteStatements(database, chunk, caller);
    } catch (error) {
      internalError(error);
    }
    return Reflect.apply(write, this, arguments);
  };
  Object.defineProperty(socket, 'write', { value: peek, writable: true, configurable: true, enumerable: false });
}

function bothSeen(database: string): boolean {
  return reported.has(`${database} db:read`) && reported.has(`${database} db:write`);
}

function noteStatements(database: string, chunk: unknown, caller: Caller): void {
  for (const statement of statementsIn(database, chunk)) {
    const capability = database === 'redis' ? redisCapability(statement) : sqlCapability(statement);
    if (!capability) continue;
    const api = `${database} ${verbOf(statement)}`;
    if (reported.has(api)) continue;
    reported.add(api);
    reported.add(`${database} ${capability}`);
    observe({ kind: 'api', module: database, api, caller, variant: capability });
  }
}

/** The statements (SQL text, or a Redis command name) in one chunk written to the socket. */
export function statementsIn(protocol: string, chunk: unknown): string[] {
  const bytes = asBytes(chunk);
  if (!bytes) return [];
  if (protocol === 'postgres') return postgresStatements(bytes);
  if (protocol === 'redis') return redisCommands(bytes);
  if (protocol === 'mysql') return mysqlStatements(bytes);
  return [];
}

function asBytes(chunk: unknown): Buffer | undefined {
  if (typeof chunk === 'string') return Buffer.from(chunk.slice(0, 4096));
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}

/** Text up to the first NUL (or the cap), from `start`. */
function cString(bytes: Buffer, start: number, end: number): string {
  const nul = bytes.indexOf(0, start);
  const stop = Math.min(nul < 0 || nul > end ? end : nul, start + MAX_STATEMENT);
  return bytes.toString('utf8', start, stop);
}

/**
 * PostgreSQL frontend messages: a type byte and a 4-byte length. `Q` (simple query) and `P`
 * (parse: a statement name, then the SQL) carry statements. The startup and SSL request
 * messages have no type byte (they start with a zero length byte): skipped by their length.
 */
function postgresStatements(bytes: Buffer): string[] {
  const found: string[] = [];
  let at = 0;
  while (at + 5 <= bytes.length) {
    const type = bytes[at]!;
    if (type === 0) {
      const length = bytes.readUInt32BE(at);
      if (length < 8) break;
      at += length;
      continue;
    }
    const length = bytes.readUInt32BE(at + 1);
    if (length < 4) break;
    const end = Math.min(bytes.length, at + 1 + length);
    if (type === 0x51) found.push(cString(bytes, at + 5, end));
    else if (type === 0x50) {
      const nameEnd = bytes.indexOf(0, at + 5);
      if (nameEnd >= 0 && nameEnd < end) found.push(cString(bytes, nameEnd + 1, end));
    }
    at += 1 + length;
  }
  return found;
}

/** RESP: `*<n>\r\n$<len>\r\n<command>\r\n…`; the first bulk string of each array is the command. */
function redisCommands(bytes: Buffer): string[] {
  const found: string[] = [];
  const text = bytes.toString('latin1', 0, Math.min(bytes.length, 4096));
  let at = 0;
  while (at < text.length && text[at] === '*') {
    const header = /^\*(\d+)\r\n/.exec(text.slice(at, at + 16));
    if (!header) break;
    let count = Number(header[1]);
    at += header[0].length;
    let first = true;
    while (count-- > 0) {
      const bulk = /^\$(\d+)\r\n/.exec(text.slice(at, at + 16));
      if (!bulk) return found;
      const start = at + bulk[0].length;
      const length = Number(bulk[1]);
      if (first) found.push(text.slice(start, Math.min(start + length, start + 64)));
      first = false;
      at = start + length + 2;
    }
  }
  return found;
}

/**
 * MySQL client packets: a 3-byte length, a sequence number, the payload. A command starts a
 * sequence (number 0): COM_QUERY (3) and COM_STMT_PREPARE (22) carry SQL. The handshake answer
 * has sequence 1 and is never read as a command.
 */
function mysqlStatements(bytes: Buffer): string[] {
  const found: string[] = [];
  let at = 0;
  while (at + 5 <= bytes.length) {
    const length = bytes.readUIntLE(at, 3);
    const sequence = bytes[at + 3];
    const command = bytes[at + 4];
    const end = Math.min(bytes.length, at + 4 + length);
    if (sequence === 0 && (command === 3 || command === 22)) found.push(bytes.toString('utf8', at + 5, Math.min(end, at + 5 + MAX_STATEMENT)));
    at += 4 + length;
  }
  return found;
}
