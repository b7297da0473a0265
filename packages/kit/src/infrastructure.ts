import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import { auth } from './auth/plugin';
import { createDenyList } from './auth/deny-list';
import type { InfraConfig } from './config';
import { kafka } from './kafka/plugin';
import { redis } from './redis';
import type * as MongoModule from './mongo';

export interface InfrastructureOptions {
  config: Readonly<
    Omit<InfraConfig, 'MONGO_URL'> & {
      /** Required unless `database: false`. */
      MONGO_URL?: string;
      SERVICE_NAME: string;
      AUTH_ISSUER: string;
      AUTH_AUDIENCE: string;
      AUTH_JWKS_URL?: string;
    }
  >;
  /**
   * Connect to MongoDB (`app.mongo`, with its readiness check). Default true. False for a deployable that keeps
   * nothing (the gateway): mongoose is then never even loaded (see `@platform/kit/mongoose`), and its consumers
   * must not deduplicate (`addConsumer({ deduplicate: false })`), since the marks live in the database.
   */
  database?: boolean;
  /** Logical names of the topics this deployable produces or consumes; created (with their .dlq) at start. */
  topics: readonly string[];
  numPartitions?: number;
  /** Verify tokens with these keys instead of fetching AUTH_JWKS_URL: tests, and the user service's own keys. */
  jwks?: JSONWebKeySet;
}

/**
 * The connections every deployable needs, wired the same way everywhere: `app.mongo` (unless it keeps nothing), `app.redis`, `app.authenticate`
 * (JWKS + the shared logout deny-list) and `app.kafka`. One place, so a service cannot get one of them subtly wrong
 * (a Redis key prefix, for instance, would hide the deny-list).
 */
async function infrastructurePlugin(app: FastifyInstance, options: InfrastructureOptions): Promise<void> {
  const { config } = options;
  if (options.database !== false) {
    if (!config.MONGO_URL) throw new Error('infrastructure: MONGO_URL is required unless database is false');
    // Required here, not imported at the top: a deployable without a database does not load mongoose.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- on purpose, see above
    const { mongo } = require('./mongo') as typeof MongoModule;
    await app.register(mongo, { url: config.MONGO_URL });
  }
  await app.register(redis, { url: config.REDIS_URL });

  const jwksUrl = config.AUTH_JWKS_URL;
  if (!options.jwks && !jwksUrl) throw new Error('infrastructure: give either jwks or config.AUTH_JWKS_URL');
  await app.register(auth, {
    jwks: options.jwks ? { keys: options.jwks } : { url: jwksUrl! },
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    denyList: createDenyList(app.redis),
  });

  await app.register(kafka, {
    clientId: config.SERVICE_NAME,
    brokers: config.KAFKA_BROKERS.split(','),
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    topics: options.topics.map((topic) => ({ topic, numPartitions: options.numPartitions ?? 3 })),
  });
}

export const infrastructure = fp(infrastructurePlugin, { name: 'kit-infrastructure', fastify: '5.x' });
