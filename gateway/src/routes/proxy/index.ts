import type { HttpClient, HttpMethod } from '@platform/kit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { API_PREFIX, upstreamPrefixes, wellKnownRoutes } from '../public-routes';
import { clientResponseBody, clientResponseHeaders, upstreamRequestHeaders } from './forwarding';

const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function buildForwarder(client: HttpClient, stripPrefix: string): RouteHandlerMethod {
  return async function forwardToUpstream(request: FastifyRequest, reply: FastifyReply) {
    const body = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;
    // The canonical URL (plugins/request-target), so the service routes on what the edge's rules judged; the query
    // string goes along untouched and the service validates it against its own schema.
    const response = await client.request({
      method: request.method as HttpMethod,
      path: request.url.slice(stripPrefix.length),
      headers: upstreamRequestHeaders(request),
      body,
    });
    return reply
      .code(response.status)
      .headers(clientResponseHeaders(response.headers))
      .send(clientResponseBody(response));
  };
}

/**
 * The pass-through routes: `/api/v1/<prefix>` and everything below it go to the service owning the prefix.
 * Bodies are forwarded as the raw bytes the client sent (no parse and re-encode); the body limit still applies.
 * Request and response schemas belong to the services, which validate them and document them in the merged
 * OpenAPI document.
 */
export default async function proxyRoutes(app: FastifyInstance): Promise<void> {
  // Every service speaks JSON: anything else is refused here with 415, before a service is bothered. The body is
  // kept as the bytes the client sent, within the body limit.
  app.removeAllContentTypeParsers();
  for (const mediaType of ['application/json', /^application\/[\w.-]+\+json$/]) {
    app.addContentTypeParser(mediaType, { parseAs: 'buffer' }, function keepRawBody(_request, body, done) {
      done(null, body);
    });
  }

  const guarded = { onRequest: app.refuseKnownFloods, preHandler: app.guardEdge, schema: { hide: true } };
  for (const { prefix, upstream } of upstreamPrefixes) {
    const handler = buildForwarder(app.upstreams[upstream], API_PREFIX);
    const routeOptions = { method: METHODS, handler, ...guarded };
    app.route({ ...routeOptions, url: `${API_PREFIX}${prefix}` });
    app.route({ ...routeOptions, url: `${API_PREFIX}${prefix}/*` });
  }
  for (const { path, upstream } of wellKnownRoutes) {
    const handler = buildForwarder(app.upstreams[upstream], '');
    app.route({ method: 'GET', url: path, handler, ...guarded });
  }
}
