import type { UpstreamName } from '../clients/upstreams';
import type { RouteRule } from '../domain/route-access';

/**
 * The public API in one place: which upstream serves each path prefix, which routes anyone may call, and which
 * need the admin role at the edge. Everything else under the prefix needs a valid access token (deny by default).
 * Services check tokens and roles again themselves; the edge only stops bad traffic early.
 */
export const API_PREFIX = '/api/v1';

/** `/api/v1/<prefix>/...` goes to `<upstream>` as `/<prefix>/...`. */
export const upstreamPrefixes: ReadonlyArray<{ prefix: string; upstream: UpstreamName }> = [
  { prefix: '/auth', upstream: 'user' },
  { prefix: '/users', upstream: 'user' },
  { prefix: '/products', upstream: 'product' },
  { prefix: '/orders', upstream: 'order' },
  { prefix: '/stock', upstream: 'inventory' },
];

/** Served outside the versioned prefix, at the same path as upstream: token verifiers expect this well-known URL. */
export const wellKnownRoutes: ReadonlyArray<{ path: string; upstream: UpstreamName }> = [
  { path: '/.well-known/jwks.json', upstream: 'user' },
];

/** Paths relative to API_PREFIX, as the services name them. */
export const publicRoutes: readonly RouteRule[] = [
  { method: 'POST', path: '/auth/register' },
  { method: 'POST', path: '/auth/login' },
  { method: 'POST', path: '/auth/refresh' },
  { method: 'GET', path: '/products' },
  { method: 'GET', path: '/products/:id' },
  { method: 'GET', path: '/products/sku/:sku' },
];

export const adminRoutes: readonly RouteRule[] = [
  { method: 'GET', path: '/users' },
  { method: 'PATCH', path: '/users/:id/role' },
  { method: 'POST', path: '/products' },
  { method: 'PATCH', path: '/products/:id' },
  { method: 'DELETE', path: '/products/:id' },
  { method: 'POST', path: '/stock/:sku/restock' },
  { method: 'POST', path: '/stock/:sku/adjust' },
];

/** Credential endpoints get the strict per-IP-and-account limit on top of the general one. */
export const credentialRoutes: readonly RouteRule[] = [
  { method: 'POST', path: '/auth/register' },
  { method: 'POST', path: '/auth/login' },
  { method: 'POST', path: '/auth/refresh' },
];
