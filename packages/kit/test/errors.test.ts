import type { FastifyInstance } from 'fastify';
import { createError } from '../src/index';
import { appWithLogs } from './helpers';

const OrderNotFound = createError('ORDER_NOT_FOUND', 'Order not found', 404);
const OrderConflict = createError('ORDER_STATE_CONFLICT', 'Order cannot change state', 409);

describe('problem+json errors', () => {
  let app: FastifyInstance;
  let logs: Array<Record<string, unknown>>;

  beforeAll(async () => {
    ({ app, logs } = await appWithLogs());
    app.post(
      '/orders',
      {
        schema: {
          body: {
            type: 'object',
            required: ['sku', 'quantity'],
            additionalProperties: false,
            properties: { sku: { type: 'string', minLength: 3 }, quantity: { type: 'integer', minimum: 1 } },
          },
        },
      },
      async () => ({ ok: true }),
    );
    app.get('/orders/:id', async (request) => {
      throw OrderNotFound(`no order ${(request.params as { id: string }).id}`);
    });
    app.post('/orders/:id/cancel', async () => {
      throw OrderConflict('order is already CANCELLED');
    });
    app.get('/explode', async () => {
      throw new Error('database password is hunter2');
    });
    // What ioredis throws while Redis is away (no offline queue) and mongoose while the database is.
    app.get('/redis-down', async () => {
      throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    });
    app.get('/database-down', async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoServerSelectionError' });
    });
    await app.ready();
  });

  afterAll(() => app.close());

  it('when the body is invalid, then 400 lists every offending field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      payload: { sku: 'x', quantity: 0, $where: 'sleep(1)' },
    });

    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const problem = res.json();
    expect(problem).toMatchObject({
      type: 'urn:problem:validation-failed',
      title: 'Request validation failed',
      status: 400,
      code: 'VALIDATION_FAILED',
      requestId: res.headers['x-request-id'],
      instance: '/orders',
    });
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { in: 'body', field: '/sku', message: 'must NOT have fewer than 3 characters' },
        { in: 'body', field: '/quantity', message: 'must be >= 1' },
        { in: 'body', field: '/$where', message: 'must NOT have additional properties' },
      ]),
    );
  });

  it('when the body is not JSON, then 400 with a clear code, not a crash', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json' },
      payload: '{"sku":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });

  it('when the body exceeds the limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await app.inject({ method: 'POST', url: '/orders', payload: { sku: 'x'.repeat(4096), quantity: 1 } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
  });

  it('when a route throws a registered error, then its status, code and detail are answered', async () => {
    const res = await app.inject({ method: 'GET', url: '/orders/42' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      code: 'ORDER_NOT_FOUND',
      title: 'Order not found',
      detail: 'no order 42',
      status: 404,
    });

    const conflict = await app.inject({ method: 'POST', url: '/orders/42/cancel' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ code: 'ORDER_STATE_CONFLICT', detail: 'order is already CANCELLED' });
  });

  it('when no route matches, then 404 ROUTE_NOT_FOUND', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND', detail: 'No route GET /nowhere', status: 404 });
  });

  it('when an unexpected error escapes, then 500 hides it from the client and logs it with stack and request', async () => {
    const res = await app.inject({ method: 'GET', url: '/explode', headers: { 'x-request-id': 'req-explode-1' } });

    expect(res.statusCode).toBe(500);
    const problem = res.json();
    expect(problem).toEqual({
      type: 'urn:problem:internal-error',
      title: 'Internal server error',
      status: 500,
      code: 'INTERNAL_ERROR',
      instance: '/explode',
      requestId: 'req-explode-1',
    });
    expect(res.body).not.toContain('hunter2');
    const logged = logs.find((l) => l.msg === 'unhandled error');
    expect(logged).toMatchObject({ level: 50, requestId: 'req-explode-1', req: { method: 'GET', url: '/explode' } });
    expect((logged?.err as { stack: string }).stack).toContain('database password is hunter2');
  });

  it.each(['/redis-down', '/database-down'])(
    'when a dependency is down (%s), then 503 SERVICE_UNAVAILABLE with Retry-After, not a 500 bug',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });

      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
      expect(res.body).not.toContain('ECONNREFUSED');
      expect(logs.find((l) => l.msg === 'unhandled error' && (l.req as { url: string }).url === url)).toBeUndefined();
    },
  );
});
