import { negotiate } from '@fastify/accept-negotiator';
import { getOrCreate } from '@platform/kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { upstreamNames, type UpstreamName } from '../../clients/upstreams';
import {
  contentCodings,
  createEdgeCache,
  type ContentCoding,
  type EdgeCache,
  type EdgeCacheOptions,
} from '../../domain/edge-cache';

/** RFC 9211 `Cache-Status` outcomes of a GET on a cacheable route. */
export type CacheOutcome = 'hit' | 'miss' | 'stored' | 'bypass';

export const cacheStatus: Record<CacheOutcome, string> = {
  hit: 'gateway; hit',
  miss: 'gateway; fwd=miss',
  stored: 'gateway; fwd=miss; stored',
  // Authenticated or conditional: answered by the service alone.
  bypass: 'gateway; fwd=bypass',
};

/**
 * Requests the cache never answers: a token makes the answer the caller's business, and a conditional request
 * (If-None-Match, If-Modified-Since, ...) or a range is the service's to evaluate.
 */
function bypassesCache(request: FastifyRequest): boolean {
  const h = request.headers;
  return (
    h.authorization !== undefined ||
    h['if-none-match'] !== undefined ||
    h['if-modified-since'] !== undefined ||
    h['if-match'] !== undefined ||
    h['if-unmodified-since'] !== undefined ||
    h.range !== undefined
  );
}

export interface CacheUse {
  /** The cache of one service's answers, keyed by canonical URL. */
  cache: EdgeCache;
  count(outcome: CacheOutcome): void;
}

/**
 * The coding a client asked for, as the compression plugin negotiates it (the same library, its `*` and `x-gzip`
 * read as gzip, `x-no-compression` honoured); undefined for none or identity.
 */
function codingFor(request: FastifyRequest): ContentCoding | undefined {
  const accepted = request.headers['accept-encoding'];
  if (accepted === undefined || request.headers['x-no-compression'] !== undefined) return undefined;
  return negotiate(accepted.toLowerCase().replace(/\*|x-gzip/g, 'gzip'), [...contentCodings]) ?? undefined;
}

/** Adds Accept-Encoding to `Vary`, keeping what the service or other hooks (CORS: Origin) put there. */
function varyOnEncoding(reply: FastifyReply): void {
  const current = reply.getHeader('vary');
  if (current === undefined || current === '') reply.header('vary', 'accept-encoding');
  else if (!/\baccept-encoding\b/i.test(String(current))) reply.header('vary', `${String(current)}, accept-encoding`);
}

/**
 * For a GET on a cached service's route: `hit` when a stored answer is on its way (see `send`), else what to
 * report once the service has answered (`miss`: its answer may be stored; `bypass`: the service alone answers
 * this request).
 * A client that accepts br or gzip gets a text answer from `compressFromBytes` up compressed, by the cache: it
 * compresses the answer once and keeps that with it, where the compression plugin would do it on every hit.
 */
export function answerFromCache(
  cacheUse: CacheUse,
  request: FastifyRequest,
  reply: FastifyReply,
  compressFromBytes: number,
): CacheOutcome {
  if (bypassesCache(request)) return 'bypass';
  const stored = cacheUse.cache.lookup(request.url, request.headers);
  if (!stored) return 'miss';
  cacheUse.count('hit');
  void reply
    .code(200)
    .headers(stored.headers)
    .header('age', String(stored.age))
    .header('cache-status', `${cacheStatus.hit}; ttl=${stored.ttlSeconds}`);
  const coding = Number(stored.headers['content-length']) >= compressFromBytes ? codingFor(request) : undefined;
  const variant = coding && stored.encoded(coding);
  if (variant) {
    varyOnEncoding(reply);
    // With Content-Encoding set, the compression plugin leaves the answer as it is.
    void reply.header('content-encoding', coding).header('content-length', String(variant.length));
  }
  setImmediate(send, reply, variant || stored.body);
  return 'hit';
}

/**
 * A hit is answered in the event loop's check phase, once every request that arrived in the same poll has been
 * read, rather than at once: the only answer the gateway has without waiting for anything would otherwise leave
 * one at a time, a request's handling apart, and a client on the same host (a sidecar, a pod on the same node,
 * the load generator here) would be woken, and put back to sleep, once per answer. Busy, the hits of a turn leave
 * together and their client wakes fewer times for them; the write that wakes a sleeping client is the costliest
 * part of a hit (docs/benchmarks.md, session 22: `wrk` woken 0.93 times per hit before, 0.65 after). Idle, the
 * check phase follows the poll at once.
 */
function send(reply: FastifyReply, body: string | Buffer): void {
  void reply.send(body);
}

export function isSafe(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/** One cache per service (its answers share its budget), with the outcome counter; none when turned off. */
export function createCacheUses(
  app: FastifyInstance,
  options: EdgeCacheOptions,
): Partial<Record<UpstreamName, CacheUse>> {
  if (options.maxBytes <= 0) return {};
  const lookups = getOrCreate(
    app.metrics,
    'gateway_cache_requests_total',
    () =>
      new Counter({
        name: 'gateway_cache_requests_total',
        help: 'GETs on routes the edge cache serves, by upstream and outcome (hit, miss, stored, bypass)',
        labelNames: ['upstream', 'outcome'],
        registers: [app.metrics],
      }),
  );
  const uses = upstreamNames.map((upstream): [UpstreamName, CacheUse] => [
    upstream,
    { cache: createEdgeCache(options), count: (outcome) => lookups.inc({ upstream, outcome }) },
  ]);
  return Object.fromEntries(uses);
}
