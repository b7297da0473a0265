import type { HttpResponse, HttpResponseHeaders } from '@platform/kit';
import type { FastifyRequest } from 'fastify';

/**
 * Request headers a service may see. An allowlist, not a denylist: whatever a client invents (x-user-id, cookies
 * for another origin, hop-by-hop headers) stops here, and the identity headers are set by the gateway alone.
 */
const FORWARDED_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'accept-language',
  'idempotency-key',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'user-agent',
  'traceparent',
  'tracestate',
  'baggage',
] as const;

/**
 * Hop-by-hop headers (RFC 9110, 7.6.1), what the gateway recomputes itself, and what the edge owns: the security
 * headers (helmet) and CORS, so a service can neither weaken nor contradict them.
 */
const DROPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'content-encoding',
  'date',
  'x-request-id',
  'content-security-policy',
  'content-security-policy-report-only',
  'strict-transport-security',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'cross-origin-embedder-policy',
  'origin-agent-cluster',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
  'x-powered-by',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
]);

export function upstreamRequestHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  // The same id in the gateway's and the service's logs; traceparent (above) joins the traces.
  headers['x-request-id'] = request.id;
  headers['x-forwarded-for'] = request.ips ? request.ips.slice().reverse().join(', ') : request.ip;
  headers['x-forwarded-proto'] = request.protocol;
  headers['x-forwarded-host'] = request.host;
  // Informational: services still verify the token in Authorization, which is forwarded unchanged.
  if (request.principal) {
    headers['x-user-id'] = request.principal.userId;
    headers['x-user-role'] = request.principal.role;
  }
  return headers;
}

export function clientResponseHeaders(headers: HttpResponseHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}

/** The kit's client hands back parsed JSON; the client gets it re-encoded, anything else as it came. */
export function clientResponseBody(response: HttpResponse): string | undefined {
  if (response.body === undefined) return undefined;
  return typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
}
