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
