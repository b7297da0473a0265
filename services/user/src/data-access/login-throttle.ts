import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LoginThrottle } from '../domain/ports';

export interface LoginThrottleOptions {
  maxFailures: number;
  windowSeconds: number;
  lockSeconds: number;
}

/**
 * Counts a failure and, at the limit, locks the email, in one atomic step: concurrent failures cannot
 * slip past the limit between a read and a write. The window starts with the first failure.
 */
const recordFailureScript = `
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if failures >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

/**
 * Lockout state in Redis, keyed by a hash of the normalised email and the client address: the same for emails
 * with and without an account (so locking reveals nothing), shared by every replica, no email or IP address in
 * key names.
 */
export function createLoginThrottle(redis: Redis, options: LoginThrottleOptions): LoginThrottle {
  const keys = (email: string, clientIp: string) => {
    const id = createHash('sha256').update(`${email}\n${clientIp}`).digest('hex');
    return { failures: `user:login-failures:${id}`, lock: `user:login-lock:${id}` };
  };

  return {
    async lockedFor(email, clientIp) {
      const ttl = await redis.ttl(keys(email, clientIp).lock);
      return Math.max(ttl, 0);
    },
    async recordFailure(email, clientIp) {
      const { failures, lock } = keys(email, clientIp);
      const locked = await redis.eval(
        recordFailureScript,
        2,
        failures,
        lock,
        options.windowSeconds,
        options.maxFailures,
        options.lockSeconds,
      );
      return locked === 1;
    },
    async reset(email, clientIp) {
      await redis.del(keys(email, clientIp).failures);
    },
  };
}
