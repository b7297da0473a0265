import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import type { DestinationStream } from 'pino';
import { createApp, infrastructure, trustProxyFrom } from '@platform/kit';
import { topicPartitions } from '@platform/events';
import type { GatewayConfig } from './config';
import { gatewayTopics, orderStatusConsumer, type OrderStatusConsumerOptions } from './consumers/order-status';
import { edgeGuard, type EdgeGuardOptions } from './plugins/edge-guard';
import { edgeHardening, securityHeaders } from './plugins/edge-hardening';
import { orderStatusHub } from './plugins/order-status-hub';
import { publicOpenApi } from './plugins/public-openapi';
import { requestTarget, rewriteToCanonical } from './plugins/request-target';
import { upstreams } from './plugins/upstreams';
import docsRoutes from './routes/docs';
import orderEventsRoutes from './routes/order-events';
import proxyRoutes from './routes/proxy';
import { createAccessPolicy, createRouteMatcher } from './domain/route-access';
import { API_PREFIX, adminRoutes, credentialRoutes, publicRoutes } from './routes/public-routes';
import { publicPath } from './routes/public-paths';

export interface AppDeps {
  /** Verify tokens against this key set instead of fetching AUTH_JWKS_URL (tests: `createTestIssuer().jwks`). */
  jwks?: JSONWebKeySet;
  /** Where log lines go; stdout by default. */
  logStream?: DestinationStream;
  /** kafkajs consumer timings; tests shorten them so replicas join and leave the group in seconds. */
  consumerConfig?: OrderStatusConsumerOptions['consumerConfig'];
}

export async function buildApp(config: Readonly<GatewayConfig>, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = await createApp({
    config,
    logStream: deps.logStream,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    trustProxy: trustProxyFrom(config.TRUSTED_PROXIES),
    // On every answer, the framework's own errors included.
    responseHeaders: securityHeaders(),
    rewriteUrl: rewriteToCanonical,
  });
  // Edge concerns first, so they cover every answer: proxied, the gateway's own, errors and 404s.
  await app.register(requestTarget);
  await app.register(edgeHardening, {
    corsOrigins: config.CORS_ORIGINS,
    compressionThresholdBytes: config.COMPRESSION_THRESHOLD_BYTES,
  });
  await app.register(publicOpenApi, {
    upstreams: () => app.upstreams,
    publicPath,
    refreshMs: config.OPENAPI_REFRESH_MS,
    retryMs: config.OPENAPI_RETRY_MS,
  });

  // No database: the gateway keeps nothing (its order-status consumer does not deduplicate, see
  // consumers/order-status.ts), so mongoose is never loaded. Its own Redis keys are prefixed by hand
  // (gateway:ratelimit:...).
  await app.register(infrastructure, {
    config,
    database: false,
    topics: gatewayTopics,
    numPartitions: topicPartitions,
    jwks: deps.jwks,
  });

  await app.register(upstreams, { config });
  await app.register(orderStatusHub, { redisUrl: config.REDIS_URL });
  await app.register(edgeGuard, {
    ...edgeRules(),
    limits: {
      ip: { max: config.RATE_LIMIT_IP_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS },
      user: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS },
      credentials: { max: config.AUTH_RATE_LIMIT_MAX, windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS },
    },
    allowlist: config.RATE_LIMIT_ALLOWLIST,
    syncMs: config.RATE_LIMIT_SYNC_MS,
    revocationViewMs: config.REVOCATION_VIEW_MS,
  });

  await app.register(docsRoutes);
  await app.register(orderEventsRoutes, {
    heartbeatMs: config.SSE_HEARTBEAT_MS,
    maxDurationMs: config.SSE_MAX_DURATION_MS,
    maxStreamsPerUser: config.SSE_MAX_STREAMS_PER_USER,
  });
  await app.register(proxyRoutes, {
    compressionThresholdBytes: config.COMPRESSION_THRESHOLD_BYTES,
    cache: { maxBytes: config.EDGE_CACHE_MAX_MB * 1024 * 1024, maxEntryBytes: config.EDGE_CACHE_MAX_ENTRY_KB * 1024 },
  });

  await app.register(orderStatusConsumer, { consumerConfig: deps.consumerConfig });
  return app;
}

/** The route rules of routes/public-routes.ts, applied to the canonical path; outside /api/v1 only public routes are guarded. */
function edgeRules(): Pick<EdgeGuardOptions, 'accessFor' | 'isCredentialCall'> {
  const accessPolicy = createAccessPolicy({ public: publicRoutes, admin: adminRoutes });
  const credentials = createRouteMatcher(credentialRoutes);
  const apiPath = (request: FastifyRequest): string | undefined =>
    request.target.path.startsWith(`${API_PREFIX}/`) ? request.target.path.slice(API_PREFIX.length) : undefined;
  return {
    accessFor(request) {
      const path = apiPath(request);
      return path === undefined ? 'public' : accessPolicy(request.method, path);
    },
    isCredentialCall(request) {
      const path = apiPath(request);
      return path !== undefined && credentials.matches(request.method, path);
    },
  };
}
