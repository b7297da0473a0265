import { startTestApp, type TestApp } from './helpers/app';

describe('product service app', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('product-app');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('when started, then readiness reports what serving HTTP needs (MongoDB, Redis) up, and not Kafka', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health/ready' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', checks: { mongodb: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('when the OpenAPI document is fetched, then it lists every route and marks the admin ones as secured', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    }>();

    expect(Object.keys(doc.paths).sort()).toEqual(['/products', '/products/sku/{sku}', '/products/{id}'].sort());
    expect(doc.paths['/products']!.post!.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/products/{id}']!.patch!.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/products/{id}']!.delete!.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/products/{id}']!.get!.security).toBeUndefined();
    expect(Object.keys(doc.paths['/products/{id}']!.get!.responses).sort()).toEqual(['200', '304', '400', '404']);
    // Problems are documented with the media type they are served with.
    expect(Object.keys(doc.paths['/products/{id}']!.get!.responses['404'] as object)).toContain('content');
    expect((doc.paths['/products/{id}']!.get!.responses['404'] as { content: object }).content).toHaveProperty([
      'application/problem+json',
    ]);
    const missing = await t.app.inject({ method: 'GET', url: '/products/0123456789abcdef01234567' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.json()).toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
  });
});
