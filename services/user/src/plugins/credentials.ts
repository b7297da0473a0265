import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createPasswordHasher } from '../domain/password-hashing';
import { createAccessTokenSigner, type SigningKeys } from '../domain/signing-keys';
import type { AccessTokenSigner, PasswordHasher } from '../domain/ports';

declare module 'fastify' {
  interface FastifyInstance {
    passwords: PasswordHasher;
    accessTokens: AccessTokenSigner;
    refreshTokenTtlMs: number;
  }
}

export interface CredentialsOptions {
  signingKeys: SigningKeys;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
}

/** What proves and grants identity: the password hasher and the access-token signer. */
async function credentialsPlugin(app: FastifyInstance, options: CredentialsOptions): Promise<void> {
  app.decorate('passwords', createPasswordHasher());
  app.decorate(
    'accessTokens',
    createAccessTokenSigner({
      keys: options.signingKeys,
      issuer: options.issuer,
      audience: options.audience,
      ttlSeconds: options.accessTokenTtlSeconds,
    }),
  );
  app.decorate('refreshTokenTtlMs', options.refreshTokenTtlDays * 24 * 60 * 60 * 1000);
}

export const credentials = fp(credentialsPlugin, { name: 'user-credentials' });
