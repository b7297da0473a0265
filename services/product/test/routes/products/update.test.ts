import { Types } from 'mongoose';
import { startTestApp, type TestApp } from '../../helpers/app';
import { bearer, invalidFields, problemCode, seedProduct, type ProductJson } from '../../helpers/products';

describe('PATCH /products/:id', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('product-update');
  });

  afterAll(async () => {
    await t?.close();
  });

  const patch = (id: string, payload: unknown, headers: Record<string, string> = bearer(t.adminToken)) =>
    t.app.inject({ method: 'PATCH', url: `/products/${id}`, headers, payload: payload as object });
  const stored = (id: string) => t.app.mongo.collection('products').findOne({ _id: new Types.ObjectId(id) });

  it('when an admin changes the price and name, then the product is updated with a new version and ETag', async () => {
    const product = await seedProduct(t.app, t.adminToken, { name: 'Mug', priceMinor: 1000 });

    const response = await patch(product.id, { priceMinor: 1100, name: 'Big mug' });

    expect(response.statusCode).toBe(200);
    expect(response.json<ProductJson>()).toMatchObject({ sku: product.sku, name: 'Big mug', priceMinor: 1100 });
    expect(response.headers.etag).toBe(`"${product.id}-2"`);
    expect(Date.parse(response.json<ProductJson>().updatedAt)).toBeGreaterThan(Date.parse(product.updatedAt));
    expect(await stored(product.id)).toMatchObject({ nameKey: 'big mug', version: 2 });
  });

  it('when the PATCH repeats the current values, then nothing is written and the version stays', async () => {
    const product = await seedProduct(t.app, t.adminToken, { priceMinor: 700 });

    const response = await patch(product.id, { priceMinor: 700 });

    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe(`"${product.id}-1"`);
    expect(await stored(product.id)).toMatchObject({ version: 1 });
  });

  it('when If-Match carries the current ETag, then the change is applied', async () => {
    const product = await seedProduct(t.app, t.adminToken);

    const response = await patch(
      product.id,
      { priceMinor: 2000 },
      { ...bearer(t.adminToken), 'if-match': `"${product.id}-1"` },
    );

    expect(response.statusCode).toBe(200);
  });

  it('when If-Match carries an outdated ETag, then 412 and the product is unchanged', async () => {
    const product = await seedProduct(t.app, t.adminToken, { priceMinor: 500 });
    await patch(product.id, { priceMinor: 600 });

    const response = await patch(
      product.id,
      { priceMinor: 9999 },
      { ...bearer(t.adminToken), 'if-match': `"${product.id}-1"` },
    );

    expect(response.statusCode).toBe(412);
    expect(problemCode(response)).toBe('PRODUCT_VERSION_MISMATCH');
    expect(await stored(product.id)).toMatchObject({ priceMinor: 600, version: 2 });
  });

  it('when the body is empty, invalid, tries to change the sku or smuggles an operator, then 400', async () => {
    const product = await seedProduct(t.app, t.adminToken);

    const empty = await patch(product.id, {});
    const invalid = await patch(product.id, { priceMinor: -1, currency: 'eur' });
    const sku = await patch(product.id, { sku: 'OTHER-SKU' });
    const operator = await patch(product.id, { name: { $set: 'x' } });
    const badId = await patch('123', { name: 'x' });

    expect([empty, invalid, sku, operator, badId].map((r) => r.statusCode)).toEqual([400, 400, 400, 400, 400]);
    expect(invalidFields(invalid)).toEqual(expect.arrayContaining(['body/priceMinor', 'body/currency']));
    expect(invalidFields(sku)).toContain('body/sku');
    expect(invalidFields(operator)).toContain('body/name');
    expect(await stored(product.id)).toMatchObject({ sku: product.sku, version: 1 });
  });

  it('when nobody is signed in, then 401; when a customer tries, then 403', async () => {
    const product = await seedProduct(t.app, t.adminToken);

    expect((await patch(product.id, { priceMinor: 1 }, {})).statusCode).toBe(401);
    expect((await patch(product.id, { priceMinor: 1 }, bearer(t.customerToken))).statusCode).toBe(403);
    expect(await stored(product.id)).toMatchObject({ priceMinor: product.priceMinor });
  });

  it('when the product does not exist or was deleted, then 404', async () => {
    const product = await seedProduct(t.app, t.adminToken);
    await t.app.inject({ method: 'DELETE', url: `/products/${product.id}`, headers: bearer(t.adminToken) });

    const deleted = await patch(product.id, { priceMinor: 1 });
    const missing = await patch('f'.repeat(24), { priceMinor: 1 });

    expect(deleted.statusCode).toBe(404);
    expect(problemCode(deleted)).toBe('PRODUCT_NOT_FOUND');
    expect(missing.statusCode).toBe(404);
  });
});
