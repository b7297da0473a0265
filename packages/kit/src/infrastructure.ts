import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import { auth } from './auth/plugin';
import { createDenyList } from './auth/deny-list';
import type { InfraConfig } from './config';
import { kafka } from './kafka/plugin';
import { mongo } from './mongo';
import { redis } from './redis';

export interface InfrastructureOptions {
  config: Readonly<
    InfraConfig & { SERVICE_NAME: string; AUTH_ISSUER: string; AUTH_AUDIENCE: string; AUTH_JWKS_URL?: string }
  >;
  /** Logical names of the topics this deployable produces or consumes; created (with their .dlq) at start. */
  topics: readonly string[];
  numPartitions?: number;
  /** Verify tokens with these keys instead of fetching AUTH_JWKS_URL: tests, and the user service's own keys. */
  jwks?: JSONWebKeySet;
}

/**
 * The connections every deployable needs, wired the same way everywhere: `app.mongo`, `app.redis`, `app.authenticate`
 * (JWKS + the shared logout deny-list) and `app.kafka`. One place, so a service cannot get one of them subtly wrong
 * (a Redis key prefix, for instance, would hide the deny-list).
 */
async function infrastructurePlugin(app: FastifyInstance, options: InfrastructureOptions): Promise<void> {
  const { config } = options;
  await app.register(mongo, { url: config.MONGO_URL });
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
