import { randomBytes } from 'node:crypto';

/** A name no other test file (or earlier run) uses: isolates databases, topics and key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A MongoDB URL for a database of this test's own, on the server the global setup started. */
export function isolatedMongoUrl(prefix = 'test'): string {
  const url = new URL(requireEnv('MONGO_URL'));
  url.pathname = `/${uniqueName(prefix).replace(/-/g, '_')}`;
  return url.toString();
}

export function requireEnv(name: 'KAFKA_BROKERS' | 'MONGO_URL' | 'REDIS_URL'): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run the tests through jest (its global setup starts the infrastructure)`);
  return value;
}

export interface ServiceTestEnvOptions {
  /** Names this instance's database, topic prefix and cache prefix; default the service's name. */
  name?: string;
  /** Tokens this issuer signs are trusted (its key set is handed to buildApp; AUTH_JWKS_URL is never fetched). */
  issuer?: { issuer: string; audience: string };
}

/**
 * The environment a service's component tests build its config from, as a deployment would: `<service>-service`,
 * a database and topic prefix of this test's own on the shared infrastructure, logs silent unless TEST_LOG_LEVEL says
 * otherwise. Tests spread their own variables over it.
 */
export function serviceTestEnv(service: string, options: ServiceTestEnvOptions = {}): Record<string, string> {
  const name = options.name ?? service;
  return {
    SERVICE_NAME: `${service}-service`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGO_URL: isolatedMongoUrl(name),
    REDIS_URL: requireEnv('REDIS_URL'),
    KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
    KAFKA_TOPIC_PREFIX: `${uniqueName(name)}.`,
    ...(options.issuer && {
      AUTH_JWKS_URL: 'http://127.0.0.1:9/unused-jwks.json',
      AUTH_ISSUER: options.issuer.issuer,
      AUTH_AUDIENCE: options.issuer.audience,
    }),
  };
}
