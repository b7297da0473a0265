import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { KitErrors } from '../errors/app-error';
import type { DenyList } from './deny-list';
import {
  AuthErrors,
  bearerToken,
  createTokenVerifier,
  type Principal,
  type Role,
  type VerifierOptions,
} from './verifier';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `app.authenticate`; undefined on public routes. */
    principal?: Principal;
  }
  interface FastifyInstance {
    /** preHandler: requires a valid, non-revoked access token. */
    authenticate: preHandlerAsyncHookHandler;
    /**
     * The principal of an `Authorization: Bearer` header, signature and claims checked, the deny-list not:
     * for callers that batch the deny-list read with their own Redis commands (the gateway). Throws 401.
     */
    verifyAccessToken(authorization: string | undefined): Promise<Principal>;
    /** preHandler factory: requires one of the roles (use after authenticate). */
    requireRole(...roles: Role[]): preHandlerAsyncHookHandler;
  }
}

export interface AuthOptions extends VerifierOptions {
  denyList?: DenyList;
}

/** Fails closed: when the deny-list cannot be read, a logged-out token must not slip through, so answer 503. */
async function isRevoked(denyList: DenyList, jti: string): Promise<boolean> {
  try {
    return await denyList.has(jti);
  } catch (err) {
    throw KitErrors.ServiceUnavailable('cannot check token revocation right now', {
      headers: { 'retry-after': '2' },
      cause: err,
    });
  }
}

/** Every service checks tokens itself (zero trust), even behind the gateway that checked them first. */
async function authPlugin(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const verify = createTokenVerifier(options);

  app.decorateRequest('principal', undefined);

  app.decorate('verifyAccessToken', function verifyAccessToken(authorization: string | undefined) {
    return verify(bearerToken(authorization));
  });

  app.decorate('authenticate', async function authenticate(request: FastifyRequest) {
    const principal = await verify(bearerToken(request.headers.authorization));
    if (options.denyList && (await isRevoked(options.denyList, principal.jti))) throw AuthErrors.TokenRevoked();
    request.principal = principal;
    request.log = request.log.child({ userId: principal.userId });
  });

  app.decorate('requireRole', function requireRole(...roles: Role[]): preHandlerAsyncHookHandler {
    return async function checkRole(request: FastifyRequest) {
      if (!request.principal) throw AuthErrors.Unauthenticated();
      if (!roles.includes(request.principal.role)) throw AuthErrors.Forbidden(`requires role ${roles.join(' or ')}`);
    };
  });
}

export const auth = fp(authPlugin, { name: 'kit-auth', fastify: '5.x' });
