import { metricValue } from '@platform/test-kit';
import { startTestApp, type TestApp } from '../../helpers/app';
import { bearer, invalidFields, problemCode, seedProduct, type ProductJson } from '../../helpers/products';

describe('GET /products/:id and /products/sku/:sku', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('product-get');
  });

  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
  const cacheCount = (lookup: string, result: string) =>
    metricValue(t.app.metrics, 'product_cache_requests_total', { lookup, result });
  // Writes fill the cache; these tests start from a cold entry to see the read-through path.
  const evict = (product: ProductJson) =>
    t.app.redis.del(`${t.config.CACHE_KEY_PREFIX}id:${product.id}`, `${t.config.CACHE_KEY_PREFIX}sku:${product.sku}`);

  it('when anyone asks for a product by id, then it answers the stable shape the order service reads, with an ETag', async () => {
    const product = await seedProduct(t.app, t.adminToken, { name: 'Espresso cup', priceMinor: 850 });

    const response = await get(`/products/${product.id}`);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: product.id,
      sku: product.sku,
      name: 'Espresso cup',
      description: product.description,
      category: product.category,
      priceMinor: 850,
      currency: 'EUR',
      createdAt: product.createdAt,
      updatedAt: product.updatedAt,
    });
    expect(response.headers.etag).toBe(`"${product.id}-1"`);
  });

  it('when a product is asked for by sku, then the same representation and ETag come back', async () => {
    const product = await seedProduct(t.app, t.adminToken);

    const response = await get(`/products/sku/${product.sku}`);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(product);
    expect(response.headers.etag).toBe(`"${product.id}-1"`);
  });

  it('when a product is read twice, then the first read misses the cache and the second one hits it', async () => {
    const product = await seedProduct(t.app, t.adminToken);
    await evict(product);
    const [missesBefore, hitsBefore] = [await cacheCount('id', 'miss'), await cacheCount('id', 'hit')];

    const first = await get(`/products/${product.id}`);
    const second = await get(`/products/${product.id}`);

    expect(second.json()).toEqual(first.json());
    expect(await cacheCount('id', 'miss')).toBe(missesBefore + 1);
    expect(await cacheCount('id', 'hit')).toBe(hitsBefore + 1);
  });

  it('when the price changes after a cached read, then the next read shows the new price and ETag', async () => {
    const product = await seedProduct(t.app, t.adminToken, { priceMinor: 1000 });
    await get(`/products/${product.id}`);
    await get(`/products/sku/${product.sku}`);

    await t.app.inject({
      method: 'PATCH',
      url: `/products/${product.id}`,
      headers: bearer(t.adminToken),
      payload: { priceMinor: 1250 },
    });

    const byId = await get(`/products/${product.id}`);
    const bySku = await get(`/products/sku/${product.sku}`);
    expect(byId.json<ProductJson>().priceMinor).toBe(1250);
    expect(bySku.json<ProductJson>().priceMinor).toBe(1250);
    expect(byId.headers.etag).toBe(`"${product.id}-2"`);
  });

  it('when If-None-Match carries the current ETag, then 304 without a body', async () => {
    const product = await seedProduct(t.app, t.adminToken);
    const { etag } = (await get(`/products/${product.id}`)).headers as { etag: string };

    const byId = await get(`/products/${product.id}`, { 'if-none-match': etag });
    const bySku = await get(`/products/sku/${product.sku}`, { 'if-none-match': `"other", W/${etag}` });

    expect(byId.statusCode).toBe(304);
    expect(byId.body).toBe('');
    expect(byId.headers.etag).toBe(etag);
    // No Content-Length of a body that is not there: a proxy's HTTP client may refuse the mismatch.
    expect(byId.headers['content-length']).toBeUndefined();
    expect(bySku.statusCode).toBe(304);
  });

  it('when a product or a page is read, then shared caches may keep the answer for a few seconds and browsers revalidate', async () => {
    const product = await seedProduct(t.app, t.adminToken);
    const { etag } = (await get(`/products/${product.id}`)).headers as { etag: string };
    const marked = `public, max-age=0, s-maxage=${t.config.SHARED_CACHE_MAX_AGE_SECONDS}`;

    expect(t.config.SHARED_CACHE_MAX_AGE_SECONDS).toBeGreaterThan(0);
    expect((await get(`/products/${product.id}`)).headers['cache-control']).toBe(marked);
    expect((await get(`/products/sku/${product.sku}`)).headers['cache-control']).toBe(marked);
    expect((await get('/products?limit=2')).headers['cache-control']).toBe(marked);
    // A 304 carries what the 200 would (RFC 9110, 15.4.5); a miss or an error carries nothing a cache would keep.
    expect((await get(`/products/${product.id}`, { 'if-none-match': etag })).headers['cache-control']).toBe(marked);
    const missing = await get('/products/0123456789abcdef01234567');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toBeUndefined();
  });

  it('when If-None-Match carries an older ETag, then 200 with the current product', async () => {
    const product = await seedProduct(t.app, t.adminToken);
    await t.app.inject({
      method: 'PATCH',
      url: `/products/${product.id}`,
      headers: bearer(t.adminToken),
      payload: { name: 'Renamed' },
    });

    const response = await get(`/products/${product.id}`, { 'if-none-match': `"${product.id}-1"` });

    expect(response.statusCode).toBe(200);
    expect(response.json<ProductJson>().name).toBe('Renamed');
  });

  it('when the id or sku is malformed, then 400', async () => {
    const badId = await get('/products/not-an-object-id');
    const badSku = await get('/products/sku/lower-case');
    const operator = await get('/products/sku/%24ne');

    expect(badId.statusCode).toBe(400);
    expect(invalidFields(badId)).toEqual(['params/id']);
    expect(badSku.statusCode).toBe(400);
    expect(operator.statusCode).toBe(400);
  });

  it('when no product has the id or sku, then 404 PRODUCT_NOT_FOUND', async () => {
    const byId = await get(`/products/${'0'.repeat(24)}`);
    const bySku = await get('/products/sku/NO-SUCH-SKU');

    expect(byId.statusCode).toBe(404);
    expect(problemCode(byId)).toBe('PRODUCT_NOT_FOUND');
    expect(bySku.statusCode).toBe(404);
    expect(problemCode(bySku)).toBe('PRODUCT_NOT_FOUND');
  });

  it('when the product was deleted, then 404 by id and by sku, whether it was cached or not', async () => {
    const cached = await seedProduct(t.app, t.adminToken);
    const cold = await seedProduct(t.app, t.adminToken);
    await get(`/products/${cached.id}`);
    for (const product of [cached, cold]) {
      await t.app.inject({ method: 'DELETE', url: `/products/${product.id}`, headers: bearer(t.adminToken) });
    }
    await evict(cold);

    for (const product of [cached, cold]) {
      expect((await get(`/products/${product.id}`)).statusCode).toBe(404);
      expect((await get(`/products/sku/${product.sku}`)).statusCode).toBe(404);
    }
  });
});
