import type { CapabilityId } from './ids.js';

/**
 * What a database statement does, from its first word: read, write, or neither (a transaction
 * boundary, a session setting, a handshake). Only the verb is ever kept, never the statement.
 */
const sqlReads = new Set(['SELECT', 'SHOW', 'EXPLAIN', 'PRAGMA', 'DESCRIBE', 'DESC', 'VALUES', 'TABLE', 'FETCH']);
const sqlWrites = new Set([
  'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'UPSERT', 'REPLACE', 'CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'COPY', 'GRANT', 'REVOKE', 'VACUUM',
  'REINDEX', 'CLUSTER', 'COMMENT', 'RENAME', 'LOAD',
]);

/** Redis commands by what they do to the data (connection, server and pub/sub commands are neither). */
const redisReads = new Set([
  'GET', 'MGET', 'GETRANGE', 'STRLEN', 'EXISTS', 'KEYS', 'SCAN', 'TYPE', 'TTL', 'PTTL', 'DUMP', 'RANDOMKEY', 'DBSIZE',
  'HGET', 'HMGET', 'HGETALL', 'HKEYS', 'HVALS', 'HLEN', 'HEXISTS', 'HSCAN', 'HSTRLEN',
  'LRANGE', 'LINDEX', 'LLEN', 'LPOS', 'SMEMBERS', 'SISMEMBER', 'SMISMEMBER', 'SCARD', 'SSCAN', 'SRANDMEMBER', 'SINTER', 'SUNION', 'SDIFF',
  'ZRANGE', 'ZRANGEBYSCORE', 'ZREVRANGE', 'ZREVRANGEBYSCORE', 'ZSCORE', 'ZMSCORE', 'ZCARD', 'ZCOUNT', 'ZRANK', 'ZREVRANK', 'ZSCAN',
  'XRANGE', 'XREVRANGE', 'XREAD', 'XLEN', 'XINFO', 'GEOPOS', 'GEODIST', 'GEOSEARCH', 'BITCOUNT', 'GETBIT', 'PFCOUNT',
  'JSON.GET', 'JSON.MGET', 'FT.SEARCH', 'FT.AGGREGATE',
]);
const redisWrites = new Set([
  'SET', 'SETEX', 'PSETEX', 'SETNX', 'MSET', 'MSETNX', 'GETSET', 'GETDEL', 'GETEX', 'APPEND', 'SETRANGE', 'INCR', 'INCRBY', 'INCRBYFLOAT',
  'DECR', 'DECRBY', 'DEL', 'UNLINK', 'EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT', 'PERSIST', 'RENAME', 'RENAMENX', 'COPY', 'MOVE', 'RESTORE',
  'HSET', 'HSETNX', 'HMSET', 'HDEL', 'HINCRBY', 'HINCRBYFLOAT', 'LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX', 'LPOP', 'RPOP', 'LSET', 'LREM',
  'LTRIM', 'LINSERT', 'LMOVE', 'RPOPLPUSH', 'BLPOP', 'BRPOP', 'SADD', 'SREM', 'SPOP', 'SMOVE', 'SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE',
  'ZADD', 'ZREM', 'ZINCRBY', 'ZPOPMIN', 'ZPOPMAX', 'ZREMRANGEBYSCORE', 'ZREMRANGEBYRANK', 'XADD', 'XDEL', 'XTRIM', 'GEOADD', 'SETBIT',
  'PFADD', 'FLUSHDB', 'FLUSHALL', 'JSON.SET', 'JSON.DEL', 'FT.CREATE',
]);

/** `db:read`, `db:write`, or undefined for a statement that is neither. */
export function sqlCapability(sql: string): CapabilityId | undefined {
  const verb = /^[\s(]*([a-z]+)/i.exec(sql)?.[1]?.toUpperCase();
  if (!verb) return undefined;
  if (verb === 'WITH') return /\b(insert|update|delete|merge)\b/i.test(sql) ? 'db:write' : 'db:read';
  if (sqlReads.has(verb)) return 'db:read';
  return sqlWrites.has(verb) ? 'db:write' : undefined;
}

export function redisCapability(command: string): CapabilityId | undefined {
  const name = command.toUpperCase();
  if (redisReads.has(name)) return 'db:read';
  return redisWrites.has(name) ? 'db:write' : undefined;
}

/** The statement's first word, for the evidence (`SELECT`, `HSET`). */
export function verbOf(statement: string): string {
  return (/^[\s(]*([a-z.]+)/i.exec(statement)?.[1] ?? '?').toUpperCase();
}
