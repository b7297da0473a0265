import type { ClientContext, Redis, Result } from 'ioredis';

/**
 * SET key to "<version>|<value>" with a TTL unless the key already holds that version or a newer one. Atomic in
 * Redis, so a reader that loaded version 3 from the database cannot replace the version 4 a write just stored.
 */
const script = `
local current = redis.call('GET', KEYS[1])
local cached = current and tonumber(string.match(current, '^(%d+)|')) or 0
if cached >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext> {
    productPutIfNewer(key: string, version: number, value: string, ttlSeconds: number): Result<number, Context>;
  }
}

export type PutIfNewer = (key: string, version: number, value: string, ttlSeconds: number) => Promise<number>;

/** Registers the script once per client (ioredis then runs it by its SHA, sending the source only when needed). */
export function putIfNewerScript(redis: Redis): PutIfNewer {
  if (typeof redis.productPutIfNewer !== 'function') {
    redis.defineCommand('productPutIfNewer', { numberOfKeys: 1, lua: script });
  }
  return (key, version, value, ttlSeconds) => redis.productPutIfNewer(key, version, value, ttlSeconds);
}
