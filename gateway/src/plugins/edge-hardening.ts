import type { IncomingMessage, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import compress from '@fastify/compress';
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { brotliOptions, contentCodings } from '../domain/edge-cache';
import { CorsOriginNotAllowed } from '../errors';

export interface EdgeHardeningOptions {
  /** Exact origins (scheme://host[:port]) whose pages may call the API. */
  corsOrigins: readonly string[];
  /** Smaller bodies are sent as they are: compressing them costs more than it saves. */
  compressionThresholdBytes: number;
}

/** An API answers JSON: no document it serves needs to load, frame or submit anything. */
const STRICT_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/** What a browser script may read besides the CORS-safelisted headers. */
const EXPOSED_HEADERS = [
  'x-request-id',
  'location',
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
  'idempotency-replayed',
];
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'idempotency-key',
  'x-request-id',
  'traceparent',
  'tracestate',
];

function isPreflight(request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
}

/**
 * The security headers of every answer, as helmet computes them: an API answers JSON, so no document it serves
 * needs to load, frame or submit anything (`default-src 'none'`); only `/docs` relaxes the CSP (routes/docs).
 *
 * The seven that protect an API's answers and its one page (OWASP's REST Security Cheat Sheet names CSP
 * frame-ancestors, HSTS, nosniff and X-Frame-Options): Content-Security-Policy, Cross-Origin-Opener-Policy,
 * Cross-Origin-Resource-Policy, Referrer-Policy, Strict-Transport-Security, X-Content-Type-Options,
 * X-Frame-Options. Helmet's five others are off: X-XSS-Protection (a legacy browser's filter, which helmet only
 * turns off), X-Download-Options (Internet Explorer 8), X-Permitted-Cross-Domain-Policies (Flash and PDF
 * plug-ins), X-DNS-Prefetch-Control and Origin-Agent-Cluster (hints for HTML documents). Each header costs every
 * answer its bytes and its validation when written; these five protect nothing a JSON answer exposes.
 *
 * Computed once, not per request: helmet's middleware sets the headers one call at a time on every answer; here
 * it runs once against a collector and the kit sets the result as one object in its first hook. The same object
 * goes on the answers the framework writes itself (malformed URL, oversized headers), which never reach a hook.
 * The proxy drops the services' own security headers, so none can weaken these.
 */
export function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader(name: string, value: string | number) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  const middleware = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: STRICT_CSP_DIRECTIVES },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    xXssProtection: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xDnsPrefetchControl: false,
    originAgentCluster: false,
  });
  middleware({} as IncomingMessage, collector as unknown as ServerResponse, function done(err?: unknown) {
    if (err) throw err;
  });
  return headers;
}

/**
 * The edge's response hardening besides the security headers, from the well-kept plugins:
 * - @fastify/cors: exact origins from the config. Bearer tokens, not cookies, carry identity, so credentials are
 *   never allowed. A preflight from an unlisted origin is refused with 403 problem+json; other requests from it get
 *   no CORS headers, so the browser keeps their answers from the page. A request without Origin is no CORS
 *   request (servers, curl, same-origin GETs): its answer carries only `Vary: Origin`, so that a shared cache
 *   never serves it to a page of another origin.
 * - @fastify/compress: br, else gzip, from the threshold up. Server-Sent Events are never compressed (the plugin
 *   skips text/event-stream), so each event reaches the client when written. Request bodies are not decompressed:
 *   the proxy forwards the bytes the client sent.
 */
async function edgeHardeningPlugin(app: FastifyInstance, options: EdgeHardeningOptions): Promise<void> {
  const allowed = new Set(options.corsOrigins);
  const corsOptions: FastifyCorsOptions = {
    origin: [...allowed],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
    // An OPTIONS request without Origin is not a CORS preflight; it gets 204 instead of a plain-text 400.
    strictPreflight: false,
  };
  const noCors: FastifyCorsOptions = { origin: false };
  await app.register(cors, {
    delegator: function corsOptionsFor(request, callback) {
      const origin = request.headers.origin;
      // An OPTIONS request keeps the full options: the plugin's preflight route answers it 204 either way.
      if (origin === undefined && request.method !== 'OPTIONS') {
        callback(null, noCors);
        return;
      }
      if (origin !== undefined && !allowed.has(origin) && isPreflight(request)) {
        callback(CorsOriginNotAllowed(`origin ${origin} may not call this API`));
        return;
      }
      callback(null, corsOptions);
    },
  });

  await app.register(compress, {
    threshold: options.compressionThresholdBytes,
    encodings: [...contentCodings],
    brotliOptions,
    globalDecompression: false,
  });
}

export const edgeHardening = fp(edgeHardeningPlugin, { name: 'gateway-edge-hardening', fastify: '5.x' });
