import { createTally } from '@platform/test-kit';
import { edgeViolations, newClientIp, send, sendRaw, type EdgeAnswer, type EdgeRequest } from './support/edge';
import type { Operation } from './support/openapi';
import type { SecurityContext } from './support/platform';

interface Probe {
  kind: string;
  request: Omit<EdgeRequest, 'clientIp'>;
  raw?: boolean;
  status: number;
  /** Answers the framework gives before any route (501 for an unknown method) are 5xx by definition. */
  allow5xx?: boolean;
}

function probes(ctx: SecurityContext, etag: string): Probe[] {
  const owner = ctx.alice.token;
  return [
    { kind: '404 unknown path', request: { target: '/api/v1/nothing-here' }, status: 404 },
    { kind: '404 outside the API', request: { target: '/wp-admin/setup.php' }, status: 404 },
    { kind: '405 method not served', request: { method: 'PUT', target: '/openapi.json', body: '{}' }, status: 405 },
    {
      kind: '501 unknown method',
      request: { method: 'BREW', target: '/api/v1/products' },
      raw: true,
      status: 501,
      allow5xx: true,
    },
    { kind: '400 malformed escape', request: { target: '/api/v1/products/%zz' }, raw: true, status: 400 },
    { kind: '400 dot segment', request: { target: '/api/v1/x/../users' }, raw: true, status: 400 },
    {
      kind: '414 target over 8 KiB',
      request: { target: `/api/v1/products?q=${'a'.repeat(9_000)}` },
      raw: true,
      status: 414,
    },
    {
      kind: '431 headers over 16 KiB',
      request: { target: '/api/v1/products', headers: { 'x-big': 'a'.repeat(20_000) } },
      raw: true,
      status: 431,
    },
    {
      kind: '413 body over the limit',
      request: {
        target: '/api/v1/auth/login',
        body: `"${'x'.repeat(1_100_000)}"`,
        headers: { 'content-type': 'application/json' },
      },
      status: 413,
    },
    {
      kind: '415 other media type',
      request: {
        target: '/api/v1/auth/login',
        body: 'a=b',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      status: 415,
    },
    {
      kind: '400 invalid JSON',
      request: { target: '/api/v1/auth/login', body: '{"email":', headers: { 'content-type': 'application/json' } },
      status: 400,
    },
    { kind: '400 validation', request: { target: '/api/v1/auth/register', body: { email: 1 } }, status: 400 },
    { kind: '401 no token', request: { target: '/api/v1/orders' }, status: 401 },
    { kind: '403 customer on admin route', request: { target: '/api/v1/users', token: owner }, status: 403 },
    {
      kind: "404 another's order",
      request: { target: `/api/v1/orders/${ctx.orders[0]}`, token: ctx.bob.token },
      status: 404,
    },
    {
      kind: '403 preflight from another origin',
      request: {
        method: 'OPTIONS',
        target: '/api/v1/products',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      },
      status: 403,
    },
    { kind: '204 OPTIONS without origin', request: { method: 'OPTIONS', target: '/api/v1/products' }, status: 204 },
    { kind: '200 HEAD', request: { method: 'HEAD', target: `/api/v1/products/${ctx.product.id}` }, status: 200 },
    {
      kind: '304 revalidated',
      request: { target: `/api/v1/products/${ctx.product.id}`, headers: { 'if-none-match': etag } },
      status: 304,
    },
    { kind: '200 proxied JSON', request: { target: `/api/v1/products/${ctx.product.id}` }, status: 200 },
    {
      kind: '200 compressed list',
      request: { target: '/api/v1/products?limit=50', headers: { 'accept-encoding': 'gzip' } },
      status: 200,
    },
    {
      kind: '200 event stream',
      request: { target: `/api/v1/orders/${ctx.orders[0]}/events`, token: owner },
      status: 200,
    },
    { kind: '200 JWKS', request: { target: '/.well-known/jwks.json' }, status: 200 },
    { kind: '200 OpenAPI document', request: { target: '/openapi.json' }, status: 200 },
    { kind: '200 docs (relaxed CSP)', request: { target: '/docs/' }, status: 200 },
    { kind: '200 health', request: { target: '/health/ready' }, status: 200 },
    { kind: '204 logout', request: { target: '/api/v1/auth/logout' }, status: 204 },
  ];
}

/**
 * The security headers on every kind of answer the edge gives: proxied, its own, the framework's refusals, streams,
 * 304s; plus every documented route called anonymously. None carries x-powered-by or a stack trace.
 */
export async function runHeaderSweep(ctx: SecurityContext, operations: Operation[]) {
  const tally = createTally();
  const first = await send(ctx.gateways[0], { target: `/api/v1/products/${ctx.product.id}`, clientIp: newClientIp() });
  const list = probes(ctx, first.headers.etag ?? '"none"');
  const session = JSON.parse(
    (
      await send(ctx.gateways[0], {
        target: '/api/v1/auth/login',
        body: { email: ctx.alice.email, password: ctx.alice.password },
        clientIp: newClientIp(),
      })
    ).body,
  ) as { accessToken: string; refreshToken: string };
  for (const probe of list) {
    const request = { ...probe.request, clientIp: newClientIp() };
    if (probe.kind === '204 logout')
      Object.assign(request, { token: session.accessToken, body: { refreshToken: session.refreshToken } });
    for (const gateway of ctx.gateways) {
      const answer: EdgeAnswer = probe.raw ? await sendRaw(gateway, request) : await send(gateway, request);
      const violations = edgeViolations(answer, { allow5xx: probe.allow5xx });
      if (answer.status !== probe.status && !(probe.kind === '204 logout' && gateway === ctx.gateways[1])) {
        violations.push(`status ${answer.status}, expected ${probe.status}`);
      }
      tally.record(probe.kind, violations);
    }
  }
  for (const op of operations) {
    const target = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
      name === 'sku' ? ctx.product.sku : ctx.orders[0],
    );
    const answer = await send(ctx.gateways[1], { method: op.method, target, clientIp: newClientIp() });
    tally.record('every documented route, anonymous', edgeViolations(answer), { route: `${op.method} ${op.path}` });
  }
  return tally;
}
