import { metricValue } from '@platform/test-kit';
import { startTestApp, type TestApp } from '../../helpers/app';
import { bearer, invalidFields, problemCode, productBody, type ProductJson } from '../../helpers/products';

describe('POST /products', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('product-create');
  });

  afterAll(async () => {
    await t?.close();
  });

  const create = (payload: unknown, headers: Record<string, string> = bearer(t.adminToken)) =>
    t.app.inject({ method: 'POST', url: '/products', headers, payload: payload as object });

  it('when an admin creates a product, then it is stored and returned with its id, location and ETag', async () => {
    const body = productBody({ name: 'Green teapot', priceMinor: 4500 });

    const response = await create(body);

    expect(response.statusCode).toBe(201);
    const product = response.json<ProductJson>();
    expect(product).toEqual({
      ...body,
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(response.headers.location).toBe(`/products/${product.id}`);
    expect(response.headers.etag).toBe(`"${product.id}-1"`);
    const stored = await t.app.mongo.collection('products').findOne({ sku: body.sku });
    expect(stored).toMatchObject({ name: 'Green teapot', nameKey: 'green teapot', priceMinor: 4500, version: 1 });
    expect(await metricValue(t.app.metrics, 'products_written_total', { operation: 'create' })).toBeGreaterThan(0);
  });

  it('when the description is left out, then the product has an empty one', async () => {
    const { description: _omitted, ...body } = productBody();

    const response = await create(body);

    expect(response.statusCode).toBe(201);
    expect(response.json<ProductJson>().description).toBe('');
  });

  it('when the body is invalid, then 400 lists every invalid field', async () => {
    const response = await create({
      sku: 'lower-case',
      name: '',
      category: 'kitchen',
      priceMinor: 12.5,
      currency: 'euro',
      colour: 'blue',
    });

    expect(response.statusCode).toBe(400);
    expect(problemCode(response)).toBe('VALIDATION_FAILED');
    expect(invalidFields(response)).toEqual(
      expect.arrayContaining(['body/sku', 'body/name', 'body/priceMinor', 'body/currency', 'body/colour']),
    );
  });

  it('when a field carries a query operator instead of a value, then 400 and nothing is stored', async () => {
    const response = await create({ ...productBody(), sku: { $gt: '' } });

    expect(response.statusCode).toBe(400);
    expect(invalidFields(response)).toContain('body/sku');
    expect(await t.app.mongo.collection('products').countDocuments({ sku: { $type: 'object' } })).toBe(0);
  });

  it('when nobody is signed in, then 401', async () => {
    const response = await create(productBody(), {});

    expect(response.statusCode).toBe(401);
    expect(problemCode(response)).toBe('UNAUTHENTICATED');
  });

  it('when a customer tries, then 403', async () => {
    const response = await create(productBody(), bearer(t.customerToken));

    expect(response.statusCode).toBe(403);
    expect(problemCode(response)).toBe('FORBIDDEN');
  });

  it('when the admin token has been revoked (logout), then 401', async () => {
    const jti = `revoked-${Date.now()}`;
    const token = await t.issuer.token({ userId: 'a'.repeat(24), role: 'admin' }, { jti });
    // Written the way the user service writes it on logout: the deny-list is shared, without a service prefix.
    await t.app.redis.set(`auth:deny:${jti}`, '1', 'EX', 60);

    const response = await create(productBody(), bearer(token));

    expect(response.statusCode).toBe(401);
    expect(problemCode(response)).toBe('TOKEN_REVOKED');
  });

  it('when the sku is already used, then 409 SKU_TAKEN', async () => {
    const body = productBody();
    await create(body);

    const response = await create({ ...body, name: 'Another name' });

    expect(response.statusCode).toBe(409);
    expect(problemCode(response)).toBe('SKU_TAKEN');
  });
});
