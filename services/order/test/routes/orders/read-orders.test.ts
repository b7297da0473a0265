import { objectIdHex } from '@platform/test-kit';
import type { OrderView } from '../../../src/domain/order-view';
import { startOrderApp, type TestApp } from '../../helpers/app';
import { placeOrderOk, waitUntilRelayed } from '../../helpers/orders';
import { startProductStub, type ProductStub } from '../../helpers/product-stub';

describe('GET /orders and GET /orders/:id', () => {
  let stub: ProductStub;
  let t: TestApp;
  const aliceId = objectIdHex();
  const bobId = objectIdHex();
  let alice: { authorization: string };
  let bob: { authorization: string };
  let admin: { authorization: string };
  let aliceOrders: OrderView[];
  let bobOrder: OrderView;

  beforeAll(async () => {
    stub = await startProductStub();
    t = await startOrderApp({ PRODUCT_SERVICE_URL: stub.url });
    alice = await t.authHeader({ userId: aliceId });
    bob = await t.authHeader({ userId: bobId });
    admin = await t.authHeader({ userId: objectIdHex(), role: 'admin' });
    const product = stub.add();
    aliceOrders = [];
    for (let quantity = 1; quantity <= 5; quantity++) {
      aliceOrders.push(await placeOrderOk(t, alice, { lines: [{ productId: product.id, quantity }] }));
    }
    bobOrder = await placeOrderOk(t, bob, { lines: [{ productId: product.id, quantity: 9 }] });
    await waitUntilRelayed(t, aliceOrders[0]!.id);
    await t.app.inject({ method: 'POST', url: `/orders/${aliceOrders[0]!.id}/cancel`, headers: alice });
  });

  afterAll(async () => {
    await t?.app.close();
    await stub?.close();
  });

  const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
  const ids = (orders: OrderView[]) => orders.map((order) => order.id);

  describe('GET /orders/:id', () => {
    it('when the owner asks, then the order is returned', async () => {
      const response = await get(`/orders/${aliceOrders[1]!.id}`, alice);

      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(aliceOrders[1]);
    });

    it('when an admin asks, then any order is returned', async () => {
      const response = await get(`/orders/${bobOrder.id}`, admin);

      expect(response.statusCode).toBe(200);
      expect(response.json().userId).toBe(bobId);
    });

    it('when another customer asks, then 404 as if it did not exist', async () => {
      const response = await get(`/orders/${bobOrder.id}`, alice);

      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('ORDER_NOT_FOUND');
    });

    it('when the order does not exist, then 404', async () => {
      expect((await get(`/orders/${objectIdHex()}`, admin)).statusCode).toBe(404);
    });

    it('when the id is malformed, then 400', async () => {
      const response = await get('/orders/123', alice);

      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0]).toMatchObject({ in: 'params', field: '/id' });
    });

    it('when no token is sent, then 401', async () => {
      expect((await get(`/orders/${bobOrder.id}`, {})).statusCode).toBe(401);
    });
  });

  describe('GET /orders', () => {
    it('when a customer lists, then only their orders come, newest first', async () => {
      const response = await get('/orders', alice);

      expect(response.statusCode).toBe(200);
      expect(ids(response.json().items)).toEqual(ids(aliceOrders).reverse());
      expect(response.json().nextCursor).toBeNull();
    });

    it('when pages are followed with the cursor, then every order comes once, in order', async () => {
      const seen: string[] = [];
      let url = '/orders?limit=2';
      for (let page = 0; page < 5; page++) {
        const body = (await get(url, alice)).json();
        seen.push(...ids(body.items));
        if (body.nextCursor === null) break;
        url = `/orders?limit=2&cursor=${body.nextCursor}`;
      }

      expect(seen).toEqual(ids(aliceOrders).reverse());
    });

    it('when filtered by status, then only orders in that status come', async () => {
      const response = await get('/orders?status=CANCELLED', alice);

      expect(ids(response.json().items)).toEqual([aliceOrders[0]!.id]);
    });

    it("when an admin lists, then everyone's orders come, or one user's with ?userId=", async () => {
      const all = (await get('/orders?limit=100', admin)).json();
      const bobs = (await get(`/orders?userId=${bobId}`, admin)).json();

      expect(ids(all.items)).toEqual(expect.arrayContaining([...ids(aliceOrders), bobOrder.id]));
      expect(ids(bobs.items)).toEqual([bobOrder.id]);
    });

    it("when a customer asks for another user's orders, then 403", async () => {
      const response = await get(`/orders?userId=${bobId}`, alice);

      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('FORBIDDEN');
    });

    it('when the query is invalid, then 400 lists the fields', async () => {
      const response = await get('/orders?limit=0&status=LOST&userId=x&sort=1', admin);

      expect(response.statusCode).toBe(400);
      const fields = (response.json().errors as Array<{ field: string }>).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['/limit', '/status', '/userId', '/sort']));
    });

    it('when the cursor was not issued by this list, then 400', async () => {
      const forged = Buffer.from(JSON.stringify({ $gt: '' })).toString('base64url');

      const response = await get(`/orders?cursor=${forged}`, alice);

      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([expect.objectContaining({ field: '/cursor' })]);
    });

    it('when no token is sent, then 401', async () => {
      expect((await get('/orders', {})).statusCode).toBe(401);
    });
  });

  describe('GET /openapi.json', () => {
    it('when the gateway fetches the document, then every order route is there, tagged, secured, with its answers', async () => {
      const document = (await get('/openapi.json', {})).json();

      const operations = [
        document.paths['/orders/'].post,
        document.paths['/orders/'].get,
        document.paths['/orders/{id}'].get,
        document.paths['/orders/{id}/cancel'].post,
      ];
      for (const operation of operations) {
        expect(operation).toMatchObject({ tags: ['orders'], security: [{ bearerAuth: [] }] });
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401']));
      }
      expect(Object.keys(document.paths['/orders/'].post.responses)).toEqual(
        expect.arrayContaining(['201', '409', '422', '503', '504']),
      );
    });
  });
});
