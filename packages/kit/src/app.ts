import { trace } from '@opentelemetry/api';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import pino, { type DestinationStream } from 'pino';
import type { Registry } from 'prom-client';
import { AccessLogController } from './access-log';
import type { BaseConfig } from './config';
import { errorHandler } from './errors/error-handler';
import { clientErrorHandler, frameworkErrorHandler, notFoundOrNotAllowed } from './errors/framework-errors';
import { drain } from './drain';
import { health } from './health';
import { buildLoggerOptions, genRequestId } from './logger';
import { stdoutDestination } from './log-destination';
import { deferredRequestLogger } from './request-logger';
import { metrics } from './metrics';
import { tracedServerFactory } from './tracing/server-span';

export interface CreateAppOptions {
  config: Pick<BaseConfig, 'SERVICE_NAME' | 'LOG_LEVEL' | 'BODY_LIMIT_BYTES'>;
  /** Share a registry with clients created before the app; by default the app gets its own. */
  registry?: Registry;
  /** Force pretty or JSON logs (tests); by default pretty only on a terminal. */
  prettyLogs?: boolean;
  /** Where log lines go; stdout by default. Tests pass a stream to read them. */
  logStream?: DestinationStream;
  /** Per-request socket timeout; a slow client cannot hold a connection forever. */
  requestTimeoutMs?: number;
  /** Which proxies' X-Forwarded-For to believe for `request.ip` (Fastify's option); none by default. */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /**
   * Headers every answer carries, the framework's own error answers included (a malformed URL, oversized
   * headers): the gateway's security headers. Set once per request as one object.
   */
  responseHeaders?: Readonly<Record<string, string>>;
  /** Fastify's `rewriteUrl`: runs before routing (the gateway canonicalises the request target there). */
  rewriteUrl?: FastifyServerOptions['rewriteUrl'];
}

/**
 * The Fastify instance every service and the gateway start from: logging with request and trace ids,
 * problem+json errors, request metrics and health routes. Infra plugins and routes are registered on top.
 */
export async function createApp(options: CreateAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const responseHeaders = options.responseHeaders ?? {};
  const pretty = options.logStream ? false : options.prettyLogs;
  const logger: FastifyBaseLogger = pino(
    buildLoggerOptions({ serviceName: config.SERVICE_NAME, level: config.LOG_LEVEL, pretty }),
    options.logStream ?? (pretty ? undefined : stdoutDestination()),
  );
  const serverFactory = tracedServerFactory();
  const app = Fastify({
    loggerInstance: logger,
    genReqId: genRequestId,
    logController: new AccessLogController(),
    childLoggerFactory: deferredRequestLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    trustProxy: options.trustProxy ?? false,
    // While closing, answer 503 to new requests on kept-alive connections instead of starting work.
    return503OnClosing: true,
    // Fastify gives each plugin 10 s to register; the kit's infrastructure plugin may wait up to 5 s for the
    // database, 5 s for Redis and 4 s each for Kafka's topics and producer, and a pod starting on a busy node
    // got "Plugin did not start in time" and a restart. The orchestrator's start-up probe bounds the whole start.
    pluginTimeout: 30_000,
    frameworkErrors: frameworkErrorHandler(responseHeaders),
    clientErrorHandler: clientErrorHandler(responseHeaders),
    ...(options.rewriteUrl ? { rewriteUrl: options.rewriteUrl } : {}),
    // Each request served inside its HTTP server span (tracing/server-span.ts), unless tracing is off.
    ...(serverFactory ? { serverFactory } : {}),
    ajv: {
      // Report every invalid field, and reject unknown ones rather than silently dropping them.
      customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true },
    },
  });

  app.addHook('onRequest', async function setResponseHeaders(request, reply) {
    reply.headers(responseHeaders).header('x-request-id', request.id);
  });
  // JSON only: a text/plain body would reach the schema as a string and fail as 400; 415 names the real problem.
  app.removeContentTypeParser('text/plain');

  // The HTTP server span (the active one here) learns the matched route, as the semantic conventions name it
  // ("GET /orders/:id"). One attribute instead of a span per Fastify hook, which a Fastify instrumentation costs.
  app.addHook('onRequest', async function nameServerSpan(request) {
    const route = request.routeOptions.url;
    const span = trace.getActiveSpan();
    if (!span || route === undefined) return;
    span.setAttribute(ATTR_HTTP_ROUTE, route);
    span.updateName(`${request.method} ${route}`);
  });

  // Before the routes, so that its hooks reach every one of them.
  await app.register(drain);
  await app.register(errorHandler);
  notFoundOrNotAllowed(app);
  await app.register(metrics, { serviceName: config.SERVICE_NAME, registry: options.registry });
  await app.register(health);
  return app;
}
