import { objectIdHex } from '@platform/test-kit';
import { newSku, seedStock, storedStock } from '../helpers/factories';
import { startInventory, type InventoryHarness } from '../helpers/service';

describe('stock routes', () => {
  let service: InventoryHarness;
  let admin: string;
  let customer: string;

  beforeAll(async () => {
    service = await startInventory();
    admin = `Bearer ${await service.issuer.token({ userId: objectIdHex(), role: 'admin' })}`;
    customer = `Bearer ${await service.issuer.token({ userId: objectIdHex(), role: 'customer' })}`;
  });
  afterAll(() => service?.close());

  const post = (url: string, payload: object, authorization?: string) =>
    service.app.inject({ method: 'POST', url, payload, headers: authorization ? { authorization } : {} });

  describe('GET /stock/:sku', () => {
    it('when any signed-in user asks for a known sku, then it answers its stock', async () => {
      const sku = await seedStock(service.app, 7);
      const res = await service.app.inject({
        method: 'GET',
        url: `/stock/${sku}`,
        headers: { authorization: customer },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        sku,
        productId: expect.stringMatching(/^[0-9a-f]{24}$/),
        available: 7,
        reserved: 0,
      });
    });

    it('when the sku is malformed, then it answers 400 naming the field', async () => {
      const res = await service.app.inject({
        method: 'GET',
        url: '/stock/not$a-sku',
        headers: { authorization: customer },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ in: 'params', field: '/sku' }] });
    });

    it('when no token is sent, then it answers 401', async () => {
      const res = await service.app.inject({ method: 'GET', url: `/stock/${newSku()}` });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    });

    it('when the sku is unknown, then it answers 404 STOCK_NOT_FOUND', async () => {
      const res = await service.app.inject({
        method: 'GET',
        url: `/stock/${newSku()}`,
        headers: { authorization: admin },
      });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'STOCK_NOT_FOUND' });
    });
  });

  describe('POST /stock/:sku/restock', () => {
    it('when an admin restocks, then available grows by the quantity', async () => {
      const sku = await seedStock(service.app, 3);
      const res = await post(`/stock/${sku}/restock`, { quantity: 5 }, admin);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ sku, available: 8, reserved: 0 });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 8 });
    });

    it('when restocks of one sku race each other, then none is lost', async () => {
      const sku = await seedStock(service.app, 0);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => post(`/stock/${sku}/restock`, { quantity: 1 }, admin)),
      );
      expect(answers.every((res) => res.statusCode === 200)).toBe(true);
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 20 });
    });

    it('when the quantity is not positive or unknown fields are sent, then it answers 400 listing them', async () => {
      const res = await post(`/stock/${newSku()}/restock`, { quantity: 0, extra: true }, admin);
      expect(res.statusCode).toBe(400);
      const fields = (res.json() as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['/quantity', '/extra']));
    });

    it('when no token is sent, then it answers 401', async () => {
      expect((await post(`/stock/${newSku()}/restock`, { quantity: 1 })).statusCode).toBe(401);
    });

    it('when a customer restocks, then it answers 403 and nothing changes', async () => {
      const sku = await seedStock(service.app, 2);
      const res = await post(`/stock/${sku}/restock`, { quantity: 5 }, customer);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 2 });
    });

    it('when the sku is unknown, then it answers 404', async () => {
      const res = await post(`/stock/${newSku()}/restock`, { quantity: 1 }, admin);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'STOCK_NOT_FOUND' });
    });

    it('when the product was deleted, then it answers 409 SKU_DISCONTINUED and nothing changes', async () => {
      const sku = newSku();
      const productId = objectIdHex();
      await service.app.repositories.stock.createForProduct({ sku, productId });
      await service.app.repositories.stock.discontinue({ sku, productId });
      const res = await post(`/stock/${sku}/restock`, { quantity: 1 }, admin);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'SKU_DISCONTINUED' });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 0 });
    });
  });

  describe('POST /stock/:sku/adjust', () => {
    it('when an admin adjusts down or up, then available changes by the delta', async () => {
      const sku = await seedStock(service.app, 10);
      const down = await post(`/stock/${sku}/adjust`, { delta: -4, reason: 'damaged in storage' }, admin);
      expect(down.statusCode).toBe(200);
      expect(down.json()).toMatchObject({ available: 6 });
      const up = await post(`/stock/${sku}/adjust`, { delta: 2, reason: 'found in recount' }, admin);
      expect(up.json()).toMatchObject({ available: 8 });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 8 });
    });

    it('when the delta is zero and the reason missing, then it answers 400 listing both', async () => {
      const res = await post(`/stock/${newSku()}/adjust`, { delta: 0 }, admin);
      expect(res.statusCode).toBe(400);
      const fields = (res.json() as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['/delta', '/reason']));
    });

    it('when no token is sent, then it answers 401', async () => {
      expect((await post(`/stock/${newSku()}/adjust`, { delta: 1, reason: 'x' })).statusCode).toBe(401);
    });

    it('when a customer adjusts, then it answers 403', async () => {
      const sku = await seedStock(service.app, 1);
      expect((await post(`/stock/${sku}/adjust`, { delta: 1, reason: 'x' }, customer)).statusCode).toBe(403);
    });

    it('when the sku is unknown, then it answers 404', async () => {
      const res = await post(`/stock/${newSku()}/adjust`, { delta: -1, reason: 'recount' }, admin);
      expect(res.statusCode).toBe(404);
    });

    it('when the adjustment would take available below zero, then it answers 409 INSUFFICIENT_STOCK and nothing changes', async () => {
      const sku = await seedStock(service.app, 3);
      const res = await post(`/stock/${sku}/adjust`, { delta: -4, reason: 'recount' }, admin);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      expect(await storedStock(service.app, sku)).toMatchObject({ available: 3 });
    });
  });

  it('when the OpenAPI document is fetched, then every stock route is in it, tagged and protected', async () => {
    const doc = (await service.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags: string[]; security: unknown[] }>>;
    };
    expect(doc.paths['/stock/{sku}']?.get).toMatchObject({ tags: ['stock'], security: [{ bearerAuth: [] }] });
    expect(doc.paths['/stock/{sku}/restock']?.post).toBeDefined();
    expect(doc.paths['/stock/{sku}/adjust']?.post).toBeDefined();
  });
});
