import type { FastifyInstance } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import type { DestinationStream } from 'pino';
import { createApp, infrastructure, openapi, trustProxyFrom } from '@platform/kit';
import { topicPartitions, Topics } from '@platform/events';
import type { UserConfig } from './config';
import { usersCollection } from './data-access/user-model';
import { loadSigningKeys } from './domain/signing-keys';
import { adminBootstrap } from './plugins/admin-bootstrap';
import { audit } from './plugins/audit';
import { credentials } from './plugins/credentials';
import { repositories } from './plugins/repositories';
import authRoutes from './routes/auth';
import userRoutes from './routes/users';
import wellKnownRoutes from './routes/well-known';

export interface AppDeps {
  /** Extra keys to trust besides the service's own, e.g. `createTestIssuer().jwks` in tests. */
  jwks?: JSONWebKeySet;
  /** Where log lines go (tests read the audit lines); stdout by default. */
  logStream?: DestinationStream;
}

export async function buildApp(config: Readonly<UserConfig>, deps: AppDeps = {}): Promise<FastifyInstance> {
  const signingKeys = await loadSigningKeys({
    privateKeyPem: config.JWT_PRIVATE_KEY,
    keyId: config.JWT_KEY_ID,
    previousPublicKeys: config.JWT_PREVIOUS_PUBLIC_KEYS,
  });

  const app = await createApp({
    config,
    logStream: deps.logStream,
    trustProxy: trustProxyFrom(config.TRUSTED_PROXIES),
  });
  await app.register(openapi, { title: 'user service', version: '1.0.0' });
  // The issuer verifies its own tokens with its own public keys; it never downloads them from itself.
  // Its own Redis keys carry a `user:` prefix by hand (data-access/login-throttle).
  await app.register(infrastructure, {
    config,
    topics: [Topics.Users],
    numPartitions: topicPartitions,
    jwks: { keys: [...signingKeys.jwks.keys, ...(deps.jwks?.keys ?? [])] },
  });
  const outbox = app.kafka.addOutboxRelay(usersCollection);

  await app.register(audit);
  await app.register(repositories, { outbox });
  await app.register(credentials, {
    signingKeys,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
  });
  await app.register(adminBootstrap, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD });

  await app.register(wellKnownRoutes, { jwks: signingKeys.jwks });
  await app.register(authRoutes, { prefix: '/auth' });
  await app.register(userRoutes, { prefix: '/users' });
  return app;
}
