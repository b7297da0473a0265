import http, { type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { FastifyServerOptions } from 'fastify';
import { enabledInstrumentations } from './switches';

/** Paths that would only add noise to traces: probes and scrapes. Their work (database pings) is not traced either. */
const untracedPaths = /^\/(health\/(live|ready)|metrics)(\?|$)/;

const activeContext = Symbol('platform.serverSpanContext');

type TracedRequest = IncomingMessage & { [activeContext]?: Context };

/** The context the request was served in (its server span), for work that runs outside it: the access line. */
export function serverSpanContext(request: IncomingMessage): Context | undefined {
  return (request as TracedRequest)[activeContext];
}

/** Attributes of the stable HTTP semantic conventions, computed only for a span that is recorded. */
function requestAttributes(request: IncomingMessage): Record<string, string> {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  const attributes: Record<string, string> = {
    // The path only: a query may carry values (cursors, search terms) that do not belong in a trace.
    [ATTR_URL_PATH]: query === -1 ? url : url.slice(0, query),
    [ATTR_URL_SCHEME]: 'http',
    [ATTR_NETWORK_PROTOCOL_VERSION]: request.httpVersion,
  };
  const host = request.headers.host;
  if (host) attributes[ATTR_SERVER_ADDRESS] = host.replace(/:\d+$/, '');
  const userAgent = request.headers['user-agent'];
  if (userAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  const client = request.socket.remoteAddress;
  if (client) attributes[ATTR_CLIENT_ADDRESS] = client;
  return attributes;
}

function endServerSpan(span: Span, response: ServerResponse): void {
  const status = response.statusCode;
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  // A server span is in error for its own failures (5xx) only; a 4xx is the client's (the conventions' rule).
  if (status >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * Wraps a server's request listener so that each request is served inside its HTTP server span: the trace
 * context comes from the request's `traceparent` (W3C), the span is named after the method (the kit's app renames
 * it after the Fastify route) and ends when the response closes, with its status code. Everything the request
 * does runs in that span's context, so database, Redis, Kafka and upstream HTTP spans are its children and
 * `traceparent` travels on.
 *
 * What @opentelemetry/instrumentation-http did per request, without its costs: it bound every request and
 * response emitter to the context (patching their listener methods) and computed a dozen attributes, also for
 * spans that are never recorded. Here attributes are computed only for a recorded span and no emitter is bound:
 * Fastify reads a body in an AsyncResource of the request's (its content-type parser), so the handler of a body
 * that arrives later still runs in this context. Work that runs from the response's events (the access line)
 * asks `serverSpanContext(request)`.
 */
export function withServerSpans(listener: RequestListener): RequestListener {
  const tracer = trace.getTracer('@platform/kit/http-server');
  return function serveInSpan(request: IncomingMessage, response: ServerResponse): void {
    if (untracedPaths.test(request.url ?? '')) {
      context.with(suppressTracing(ROOT_CONTEXT), listener, undefined, request, response);
      return;
    }
    const method = request.method ?? 'GET';
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: method } },
      parent,
    );
    if (span.isRecording()) span.setAttributes(requestAttributes(request));
    const active = trace.setSpan(parent, span);
    (request as TracedRequest)[activeContext] = active;
    response.once('close', () => endServerSpan(span, response));
    context.with(active, listener, undefined, request, response);
  };
}

/**
 * Fastify's `serverFactory` for an HTTP/1.1 server whose requests are served in server spans (withServerSpans),
 * with the timeouts Fastify would set on a server of its own; undefined when the `http` instrumentation is off
 * (OTEL_SDK_DISABLED, OTEL_NODE_DISABLED_INSTRUMENTATIONS), so Fastify makes its plain server.
 */
export function tracedServerFactory(
  env: NodeJS.ProcessEnv = process.env,
): FastifyServerOptions['serverFactory'] | undefined {
  if (!enabledInstrumentations(env).includes('http')) return undefined;
  return function createTracedServer(handler, fastifyOptions): Server {
    const options = fastifyOptions as ServerTimeouts;
    const server = http.createServer(options.http ?? {}, withServerSpans(handler as RequestListener));
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket && options.maxRequestsPerSocket > 0) {
      server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    }
    return server;
  };
}

/** What Fastify's own HTTP/1.1 server takes from its options (defaults applied before the factory is called). */
interface ServerTimeouts {
  http?: http.ServerOptions;
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  maxRequestsPerSocket?: number | null;
}
