import { metricValue } from '@platform/test-kit';
import { Types } from 'mongoose';
import { startTestApp, type TestApp } from '../../helpers/app';
import { bearer, problemCode, productBody, seedProduct } from '../../helpers/products';

describe('DELETE /products/:id', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('product-delete');
  });

  afterAll(async () => {
    await t?.close();
  });

  const remove = (id: string, headers: Record<string, string> = bearer(t.adminToken)) =>
    t.app.inject({ method: 'DELETE', url: `/products/${id}`, headers });
  const stored = (id: string) => t.app.mongo.collection('products').findOne({ _id: new Types.ObjectId(id) });

  it('when an admin deletes a product, then 204, the document is kept with deletedAt and reads no longer find it', async () => {
    const product = await seedProduct(t.app, t.adminToken);
    const deletesBefore = await metricValue(t.app.metrics, 'products_written_total', { operation: 'delete' });

    const response = await remove(product.id);

    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(await stored(product.id)).toMatchObject({ sku: product.sku, deletedAt: expect.any(Date), version: 2 });
    expect((await t.app.inject({ method: 'GET', url: `/products/${product.id}` })).statusCode).toBe(404);
    expect(await metricValue(t.app.metrics, 'products_written_total', { operation: 'delete' })).toBe(deletesBefore + 1);
  });

  it('when it is deleted twice, then the second delete answers 404', async () => {
    const product = await seedProduct(t.app, t.adminToken);
    await remove(product.id);

    const response = await remove(product.id);

    expect(response.statusCode).toBe(404);
    expect(problemCode(response)).toBe('PRODUCT_NOT_FOUND');
  });

  it('when a new product takes the sku of a deleted one, then 409: SKUs are never reused', async () => {
    const product = await seedProduct(t.app, t.adminToken);
    await remove(product.id);

    const response = await t.app.inject({
      method: 'POST',
      url: '/products',
      headers: bearer(t.adminToken),
      payload: productBody({ sku: product.sku }),
    });

    expect(response.statusCode).toBe(409);
    expect(problemCode(response)).toBe('SKU_TAKEN');
  });

  it('when If-Match is outdated, then 412 and the product stays', async () => {
    const product = await seedProduct(t.app, t.adminToken);
    await t.app.inject({
      method: 'PATCH',
      url: `/products/${product.id}`,
      headers: bearer(t.adminToken),
      payload: { priceMinor: 1 },
    });

    const response = await remove(product.id, { ...bearer(t.adminToken), 'if-match': `"${product.id}-1"` });

    expect(response.statusCode).toBe(412);
    expect(await stored(product.id)).toMatchObject({ deletedAt: null });
  });

  it('when the id is malformed, then 400; anonymous 401; customer 403; unknown id 404', async () => {
    const product = await seedProduct(t.app, t.adminToken);

    expect((await remove('nope')).statusCode).toBe(400);
    expect((await remove(product.id, {})).statusCode).toBe(401);
    expect((await remove(product.id, bearer(t.customerToken))).statusCode).toBe(403);
    expect((await remove('a'.repeat(24))).statusCode).toBe(404);
    expect(await stored(product.id)).toMatchObject({ deletedAt: null });
  });
});
