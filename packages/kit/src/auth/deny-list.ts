import type { Redis } from 'ioredis';
import type { DenyList } from './deny-list-port';

export type { DenyList };

/** The Redis key of a revoked token id: callers that batch the check with other commands read it directly. */
export function denyListKey(jti: string): string {
  return `auth:deny:${jti}`;
}
const key = denyListKey;

export function createDenyList(redis: Redis): DenyList {
  return {
    async add(jti, expiresAtSec) {
      const ttl = Math.max(1, expiresAtSec - Math.floor(Date.now() / 1000));
      await redis.set(key(jti), '1', 'EX', ttl);
    },
    async has(jti) {
      return (await redis.exists(key(jti))) === 1;
    },
  };
}
