import type { HttpResponseHeaders } from '@platform/kit';
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
 * Hop-by-hop headers (RFC 9110, 7.6.1; also any the `Connection` header names), what Node recomputes for its own
 * connection (`date`, `transfer-encoding`), and what the edge owns: the security headers and CORS, so a service
 * can neither weaken nor contradict them. `content-length` and `content-encoding` describe the bytes, which pass
 * through as they came, so they stay.
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

/** The `Connection` header's own list of hop-by-hop headers (RFC 9110, 7.6.1). */
function connectionOptions(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * The service's answer headers the client gets. A 204 carries no `content-length` (RFC 9110, 8.6); a 304 and an
 * answer to HEAD keep the one the service sent, which describes the representation a GET would return.
 */
export function clientResponseHeaders(headers: HttpResponseHeaders, status: number): Record<string, string | string[]> {
  const named = connectionOptions(headers.connection);
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (DROPPED_RESPONSE_HEADERS.has(lower) || named.includes(lower)) continue;
    if (lower === 'content-length' && (status === 204 || status < 200)) continue;
    kept[lower] = value;
  }
  return kept;
}
