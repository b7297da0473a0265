import type { HttpClient, HttpMethod } from '@platform/kit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { EdgeCacheOptions } from '../../domain/edge-cache';
import { answerFromCache, cacheStatus, createCacheUses, isSafe, type CacheOutcome, type CacheUse } from './edge-cache';
import { API_PREFIX, upstreamPrefixes, wellKnownRoutes } from '../public-routes';
import { clientResponseHeaders, upstreamRequestHeaders } from './forwarding';

// HEAD is a route of its own, forwarded as HEAD: Fastify's generated HEAD route would answer Content-Length: 0
// instead of the length of the representation, which the service states (RFC 9110, 9.3.2).
const METHODS: HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface ProxyOptions {
  /**
   * The compression threshold. Answers with a `content-length` below it are collected (bytes, never parsed) and
   * sent in one write; larger or unknown-length ones stream (a stream's size is unknown to the compression plugin,
   * which would compress any stream, however small). A cached text answer from it up is compressed by the cache.
   */
  compressionThresholdBytes: number;
  /** The shared cache of answers the services mark cacheable, per service; `maxBytes` 0 turns it off. */
  cache: EdgeCacheOptions;
}

function buildForwarder(
  client: HttpClient,
  stripPrefix: string,
  options: ProxyOptions,
  cacheUse: CacheUse | undefined,
): RouteHandlerMethod {
  return function forwardToUpstream(request: FastifyRequest, reply: FastifyReply) {
    const cache = request.method === 'GET' ? cacheUse : undefined;
    const outcome = cache && answerFromCache(cache, request, reply, options.compressionThresholdBytes);
    // Answered from the cache a moment later (see edge-cache.ts, `send`). Nothing is returned: a reply returned
    // unsent is a thenable, which Fastify would watch with stream listeners until it ends.
    if (outcome === 'hit') return;
    return forward(request, reply, cache, outcome);
  };

  async function forward(
    request: FastifyRequest,
    reply: FastifyReply,
    cache: CacheUse | undefined,
    lookup: CacheOutcome | undefined,
  ) {
    let outcome = lookup;
    const body = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;
    // The canonical URL (plugins/request-target), so the service routes on what the edge's rules judged; the query
    // string goes along untouched and the service validates it against its own schema.
    const upstream = await client.stream({
      method: request.method as HttpMethod,
      path: request.url.slice(stripPrefix.length),
      headers: upstreamRequestHeaders(request),
      body,
    });
    // RFC 9111, 4.4: a write the service accepted makes what the cache holds of it suspect. All of the service's
    // answers go, not only the target's: a product changed by id is also in its by-sku answer and in list pages.
    if (cacheUse && !isSafe(request.method) && upstream.status < 400) cacheUse.cache.clear();
    const clientHeaders = clientResponseHeaders(upstream.headers, upstream.status);
    reply.code(upstream.status).headers(clientHeaders);
    const storeBody =
      cache && outcome === 'miss' && upstream.body
        ? cache.cache.admit(request.url, request.headers, upstream.status, clientHeaders)
        : undefined;
    if (cache && outcome) {
      if (storeBody) outcome = 'stored';
      cache.count(outcome);
      reply.header('cache-status', cacheStatus[outcome]);
    }
    // The service's own error answer (its problem document, read whole by the client): passed on as it came.
    if (upstream.bytes) return reply.send(upstream.bytes);
    if (!upstream.body) return reply.send();
    const length = Number(upstream.headers['content-length']);
    if (storeBody || length < options.compressionThresholdBytes) {
      const bytes = Buffer.from(await upstream.body.arrayBuffer());
      storeBody?.(bytes);
      return reply.send(bytes);
    }
    // The body streams through as the service writes it: nothing parsed, re-encoded or held in memory. Fastify
    // destroys it if the client goes away, which ends the upstream exchange and frees its slot.
    return reply.send(upstream.body);
  }
}

/**
 * The pass-through routes: `/api/v1/<prefix>` and everything below it go to the service owning the prefix.
 * Request bodies are read whole, as raw bytes (the body limit applies, the credential limit reads the account from
 * them, and an idempotent call can be sent again on a retry), then forwarded as sent; answers stream back.
 * Request and response schemas belong to the services, which validate them and document them in the merged
 * OpenAPI document.
 */
export default async function proxyRoutes(app: FastifyInstance, options: ProxyOptions): Promise<void> {
  // Every service speaks JSON: anything else is refused here with 415, before a service is bothered. The body is
  // kept as the bytes the client sent, within the body limit.
  app.removeAllContentTypeParsers();
  for (const mediaType of ['application/json', /^application\/[\w.-]+\+json$/]) {
    app.addContentTypeParser(mediaType, { parseAs: 'buffer' }, function keepRawBody(_request, body, done) {
      done(null, body);
    });
  }

  const guarded = { onRequest: app.refuseKnownFloods, preHandler: app.guardForwarded, schema: { hide: true } };
  const caches = createCacheUses(app, options.cache);
  for (const { prefix, upstream } of upstreamPrefixes) {
    const handler = buildForwarder(app.upstreams[upstream], API_PREFIX, options, caches[upstream]);
    const routeOptions = { method: METHODS, handler, ...guarded };
    app.route({ ...routeOptions, url: `${API_PREFIX}${prefix}` });
    app.route({ ...routeOptions, url: `${API_PREFIX}${prefix}/*` });
  }
  for (const { path, upstream } of wellKnownRoutes) {
    const handler = buildForwarder(app.upstreams[upstream], '', options, undefined);
    app.route({ method: ['GET', 'HEAD'], url: path, handler, ...guarded });
  }
}
