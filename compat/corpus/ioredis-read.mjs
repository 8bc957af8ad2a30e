// ioredis reading a cache: GET and HGETALL only, never a write.
import Redis from 'ioredis';
const redis = new Redis(process.env.REDIS_URL);
const [value, hash] = await Promise.all([redis.get('greeting'), redis.hgetall('profile')]);
console.log('cache', value, Object.keys(hash).length);
redis.disconnect();
