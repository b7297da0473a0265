import fp from 'fastify-plugin';
import { isAppError } from '@platform/kit';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { createAccessPolicy, type RouteRule } from '../domain/route-access';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler for proxied routes: public, authenticated or admin, decided by the route rules. */
    checkEdgeAccess: preHandlerAsyncHookHandler;
  }
}

export interface EdgeAccessOptions {
  /** Stripped from the URL before the rules (written with the services' paths) are applied. */
  prefix: string;
  publicRoutes: readonly RouteRule[];
  adminRoutes: readonly RouteRule[];
}

/**
 * Authentication at the edge, on top of the kit's auth plugin (JWKS cached and refreshed on an unknown kid,
 * asymmetric algorithms only, deny-list): bad tokens and missing roles are refused here, before any upstream
 * is bothered. On public routes a token is optional; a valid one identifies the caller for per-user rate limits.
 */
async function edgeAccessPlugin(app: FastifyInstance, options: EdgeAccessOptions): Promise<void> {
  const accessFor = createAccessPolicy({ public: options.publicRoutes, admin: options.adminRoutes });
  const requireAdmin = app.requireRole('admin');

  async function identifyIfPossible(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!request.headers.authorization) return;
    try {
      await app.authenticate.call(app, request, reply);
    } catch (err) {
      // A stale token must not break a public page; the caller just counts as anonymous here.
      if (!isAppError(err)) throw err;
    }
  }

  app.decorate('checkEdgeAccess', async function checkEdgeAccess(request: FastifyRequest, reply: FastifyReply) {
    const path = request.target.path.slice(options.prefix.length);
    const access = accessFor(request.method, path);
    if (access === 'public') return identifyIfPossible(request, reply);
    await app.authenticate.call(app, request, reply);
    if (access === 'admin') await requireAdmin.call(app, request, reply);
  });
}

export const edgeAccess = fp(edgeAccessPlugin, {
  name: 'gateway-edge-access',
  fastify: '5.x',
  dependencies: ['kit-auth'],
});
