import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { KitErrors, type AppError } from './app-error';
import { problemFor, sendProblem } from './error-handler';
import { problemContentType } from './problem';

/**
 * Answers Fastify and Node.js give outside the request lifecycle (a malformed %-escape, a path parameter over
 * `maxParamLength`, headers over `maxHeaderSize`, a method the parser does not know), as problem+json with
 * the app's fixed response headers, like every other error. Without this they are the framework's raw JSON.
 */
export function frameworkErrorHandler(
  responseHeaders: Readonly<Record<string, string>>,
): NonNullable<FastifyServerOptions['frameworkErrors']> {
  return function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const problem =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? KitErrors.UriTooLong('a path segment is too long')
        : error.code === 'FST_ERR_BAD_URL'
          ? KitErrors.InvalidUrl('the URL holds a malformed %-escape')
          : KitErrors.Internal();
    request.log.info({ code: problem.code, status: problem.status }, error.message);
    // The raw URL is what failed to decode; the problem's `instance` is left out rather than echo it.
    reply.headers(responseHeaders).header('x-request-id', request.id);
    return reply
      .code(problem.status)
      .type(problemContentType)
      .send(problemFor(problem, request.id, undefined));
  };
}

function clientProblem(code: string | undefined): AppError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return KitErrors.HeadersTooLarge('the request line and headers exceed the size this server accepts');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return KitErrors.RequestTimeout('the request was not received in time');
    case 'HPE_INVALID_METHOD':
      // RFC 9110, 9.1: a method the server does not recognise is 501; a known one a route refuses is 405.
      return KitErrors.MethodNotImplemented('unknown request method');
    default:
      return KitErrors.BadRequest('the request is not valid HTTP');
  }
}

/**
 * Node's `clientError`: the request could not even be parsed, so there is no Fastify request, only the socket.
 * The answer is written by hand and the connection closed, as Node's own handler does.
 */
export function clientErrorHandler(responseHeaders: Readonly<Record<string, string>>) {
  return function answerClientError(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const problem = clientProblem(err.code);
    this.log.debug({ err, code: problem.code }, 'unparseable request');
    const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !response?.headersSent) {
      const requestId = randomUUID();
      const body = JSON.stringify(problemFor(problem, requestId, undefined));
      const headers: Record<string, string> = {
        ...responseHeaders,
        'content-type': problemContentType,
        'content-length': String(Buffer.byteLength(body)),
        'x-request-id': requestId,
        connection: 'close',
      };
      const head = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\r\n');
      socket.write(`HTTP/1.1 ${problem.status} ${problem.title}\r\n${head}\r\n\r\n${body}`);
    }
    socket.destroy(err);
  };
}

/**
 * 404 or 405: a copy of the route table (find-my-way, Fastify's own router) learns every route as it is added,
 * and a request that matched none is checked against the other methods only once it already missed, so the
 * answer costs nothing on the common path. 405 carries `Allow` (RFC 9110, 15.5.6). OPTIONS is left out:
 * a catch-all preflight route (CORS) would otherwise make every path "exist".
 */
export function notFoundOrNotAllowed(app: FastifyInstance): void {
  const routes = FindMyWay({ ignoreTrailingSlash: false });
  const methods = new Set<HTTPMethod>();

  app.addHook('onRoute', function copyRoute(route) {
    const routeMethods = ([] as string[]).concat(route.method).filter((method) => method !== 'OPTIONS');
    for (const method of routeMethods) {
      try {
        routes.on(method as HTTPMethod, route.url ?? route.path, function noop() {});
        methods.add(method as HTTPMethod);
      } catch {
        // Constrained duplicates (versions, hosts): the first registration is enough to know the path exists.
      }
    }
  });

  app.setNotFoundHandler(function handleNotFound(request, reply) {
    const path = request.url.split('?')[0]!;
    const allowed = [...methods].filter((method) => method !== request.method && routes.find(method, path));
    if (allowed.length > 0) {
      return sendProblem(
        reply.header('allow', allowed.join(', ')),
        request,
        KitErrors.MethodNotAllowed(`${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`),
      );
    }
    return sendProblem(reply, request, KitErrors.RouteNotFound(), `No route ${request.method} ${path}`);
  });
}
