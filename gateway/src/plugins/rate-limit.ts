import fp from 'fastify-plugin';
import fastifyRateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import { KitErrors, getOrCreate } from '@platform/kit';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { Counter } from 'prom-client';
import { accountKey, createAllowlist } from '../domain/rate-limit';
import { createRouteMatcher, type RouteRule } from '../domain/route-access';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler: counts the call against every limit that applies and refuses it with 429 beyond any of them. */
    enforceRateLimits: preHandlerAsyncHookHandler;
  }
}

export interface Limit {
  max: number;
  windowMs: number;
}

export interface RateLimitOptions {
  /** Every call: per user when a valid token identified the caller, per client IP otherwise. */
  api: Limit;
  /** Credential routes: per client IP and account, against password guessing and credential stuffing. */
  credentials: Limit & { routes: readonly RouteRule[]; prefix: string };
  /** IPs and CIDRs of internal callers that no limit applies to. */
  allowlist: readonly string[];
}

type LimitName = 'api' | 'credentials';

/**
 * @fastify/rate-limit on its Redis store (the shared `app.redis`, keys under `gateway:ratelimit:`), so every
 * gateway replica draws on the same budget: two replicas together allow exactly `max` calls per window.
 *
 * Two limits can apply to one call (the general one, and the credential one on register/login/refresh), and the
 * plugin runs one limiter per registration and request, so each limit is its own registration in its own
 * encapsulated scope; `enforceRateLimits` runs both as one preHandler. preHandler, not onRequest: the general
 * limit needs the caller identified by the edge-access check, the credential limit needs the parsed body.
 */
async function rateLimitPlugin(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  const isAllowlisted = createAllowlist(options.allowlist);
  const credentialRoutes = createRouteMatcher(options.credentials.routes);
  const refused = getOrCreate(
    app.metrics,
    'gateway_rate_limited_total',
    () =>
      new Counter({
        name: 'gateway_rate_limited_total',
        help: 'Requests refused with 429, by limit',
        labelNames: ['limit'],
        registers: [app.metrics],
      }),
  );

  function isCredentialCall(request: FastifyRequest): boolean {
    const path = request.target.path.slice(options.credentials.prefix.length);
    return credentialRoutes.matches(request.method, path);
  }

  async function createLimiter(
    name: LimitName,
    limit: Limit,
    settings: Pick<RateLimitPluginOptions, 'keyGenerator' | 'allowList'>,
  ): Promise<preHandlerAsyncHookHandler> {
    let limiter: preHandlerAsyncHookHandler | undefined;
    await app.register(async function limiterScope(scope) {
      await scope.register(fastifyRateLimit, {
        global: false,
        hook: 'preHandler',
        redis: app.redis,
        nameSpace: 'gateway:ratelimit:',
        max: limit.max,
        timeWindow: limit.windowMs,
        enableDraftSpec: true,
        // Fail open: a Redis outage must not take the whole API down with it; the services still authenticate.
        skipOnError: true,
        onExceeded: function countRefusal(request, key) {
          refused.inc({ limit: name });
          if (name === 'credentials') {
            request.log.warn(
              { audit: { action: 'auth.rate-limited', actorId: request.ip, targetId: key, outcome: 'denied' } },
              'auth.rate-limited',
            );
          }
        },
        // Thrown by the plugin: the kit's error handler answers 429 problem+json, with the headers set here too.
        errorResponseBuilder: function tooManyRequests(_request, context) {
          const resetSeconds = String(Math.max(1, Math.ceil(context.ttl / 1000)));
          return KitErrors.TooManyRequests(`limit of ${context.max} requests per ${limit.windowMs / 1000} s reached`, {
            headers: {
              'ratelimit-limit': String(context.max),
              'ratelimit-remaining': '0',
              'ratelimit-reset': resetSeconds,
              'retry-after': resetSeconds,
            },
          });
        },
        ...settings,
      });
      limiter = scope.rateLimit() as preHandlerAsyncHookHandler;
    });
    return limiter!;
  }

  const apiLimit = await createLimiter('api', options.api, {
    keyGenerator: (request) => (request.principal ? `api:user:${request.principal.userId}` : `api:ip:${request.ip}`),
    allowList: (request) => isAllowlisted(request.ip),
  });
  // Account = the body's email, normalised, or the refresh token's session; hashed (no personal data in Redis).
  const credentialLimit = await createLimiter('credentials', options.credentials, {
    keyGenerator: (request) => `cred:${request.ip}:${accountKey(request.body) ?? '-'}`,
    allowList: (request) => isAllowlisted(request.ip) || !isCredentialCall(request),
  });

  app.decorate('enforceRateLimits', async function enforceRateLimits(request, reply) {
    await apiLimit.call(this, request, reply);
    // Second, so its (stricter) RateLimit headers are the ones a credential call shows.
    await credentialLimit.call(this, request, reply);
  });
}

export const rateLimit = fp(rateLimitPlugin, {
  name: 'gateway-rate-limit',
  fastify: '5.x',
  dependencies: ['kit-redis', 'kit-metrics'],
});
