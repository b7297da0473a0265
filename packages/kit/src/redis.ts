import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Redis, type RedisOptions as IORedisOptions } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
  }
}

export interface RedisOptions {
  url: string;
  maxReconnectDelayMs?: number;
}

/**
 * No client-wide `keyPrefix` on purpose: some keys are shared across services (the logout deny-list,
 * `auth:deny:<jti>`, written by the user service and read by every verifier). Services namespace their own keys.
 */
export function createRedisClient(options: RedisOptions): Redis {
  const clientOptions: IORedisOptions = {
    // Keep reconnecting, backing off up to a cap: Redis coming back must heal the service without a restart.
    retryStrategy: (times) => Math.min(50 * 2 ** times, options.maxReconnectDelayMs ?? 2_000),
    // Fail commands fast while disconnected instead of queueing them until memory runs out.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    lazyConnect: true,
    // Commands issued in one turn of the event loop (by every request handled in it) leave in one write and
    // their answers come back in one read: under load one round trip serves many requests.
    enableAutoPipelining: true,
  };
  return new Redis(options.url, clientOptions);
}

async function redisPlugin(app: FastifyInstance, options: RedisOptions): Promise<void> {
  const redis = createRedisClient(options);
  redis.on('error', function logRedisError(err) {
    app.log.warn({ err }, 'redis connection error');
  });
  await redis.connect();
  app.decorate('redis', redis);
  // Listed in /health/ready, not deciding it: without Redis, each concern fails open or answers 503 on its own
  // (docs/reliability.md); an unready replica would refuse the requests that could still be served.
  app.health.register(
    'redis',
    async function pingRedis() {
      if (redis.status !== 'ready') throw new Error(`connection ${redis.status}`);
      return (await redis.ping()) === 'PONG';
    },
    { decides: false },
  );
  app.addHook('onClose', async function closeRedis() {
    await redis.quit().catch(() => redis.disconnect());
  });
}

export const redis = fp(redisPlugin, { name: 'kit-redis', fastify: '5.x', dependencies: ['kit-health'] });
