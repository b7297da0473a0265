import type { Redis } from 'ioredis';

/**
 * Revoked access tokens by `jti`, in Redis, each entry living exactly until the token would expire anyway.
 * Shared by the user service (writes on logout) and every verifier (reads), including the gateway replicas.
 */
export interface DenyList {
  add(jti: string, expiresAtSec: number): Promise<void>;
  has(jti: string): Promise<boolean>;
}

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
