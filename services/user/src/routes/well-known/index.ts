import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { JSONWebKeySet } from 'jose';
import type { Static } from 'typebox';
import { Jwks } from '../../schemas/auth';

export interface WellKnownOptions {
  jwks: JSONWebKeySet;
}

/** The public keys every verifier (gateway, services) downloads to check access tokens. */
export default async function wellKnownRoutes(fastify: FastifyInstance, options: WellKnownOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/.well-known/jwks.json',
    {
      logLevel: 'warn',
      schema: {
        tags: ['auth'],
        summary: 'Public keys that verify access tokens (current and, during a rotation, previous)',
        response: { 200: Jwks },
      },
    },
    async function jwks(_request, reply) {
      // Verifiers re-fetch on an unknown kid anyway, so a short cache only spares us repeated downloads.
      return reply.header('cache-control', 'public, max-age=300').send(options.jwks as Static<typeof Jwks>);
    },
  );
}
