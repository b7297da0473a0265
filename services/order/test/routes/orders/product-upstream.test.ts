import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, metricValue, objectIdHex } from '@platform/test-kit';
import { startOrderApp, type TestApp } from '../../helpers/app';
import { newIdempotencyKey, postOrder } from '../../helpers/orders';
import { startProductStub, type ProductStub } from '../../helpers/product-stub';

describe('POST /orders when the product service fails', () => {
  describe('and nothing listens at its address', () => {
    let t: TestApp;
    let customer: { authorization: string };
    const body = () => ({ lines: [{ productId: objectIdHex(), quantity: 1 }] });

    beforeAll(async () => {
      t = await startOrderApp({ PRODUCT_SERVICE_URL: `http://127.0.0.1:${await freePort()}` });
      customer = await t.authHeader({ userId: objectIdHex() });
    });

    afterAll(async () => {
      await t?.app.close();
    });

    it('when an order is placed, then 503 UPSTREAM_UNAVAILABLE with Retry-After, nothing is stored, and the key stays usable', async () => {
      const key = newIdempotencyKey();
      const order = body();

      const response = await postOrder(t, customer, order, key);

      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(await t.app.mongo.collection('orders').countDocuments()).toBe(0);
      // The failure wrote nothing, so the same key is not stuck "in progress": the retry is evaluated afresh.
      const retry = await postOrder(t, customer, order, key);
      expect(retry.json().code).toMatch(/^UPSTREAM_UNAVAILABLE$/);
    });

    it("when failures go on, then the breaker opens and orders fail fast with the breaker's Retry-After", async () => {
      let response = await postOrder(t, customer, body());
      for (let attempt = 0; attempt < 20 && !/circuit open/.test(response.json().detail); attempt++) {
        response = await postOrder(t, customer, body());
      }

      expect(response.statusCode).toBe(503);
      expect(response.json().detail).toMatch(/circuit open/);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(await metricValue(t.app.metrics, 'upstream_breaker_state', { upstream: 'product-service' })).toBe(2);
      expect(
        await metricValue(t.app.metrics, 'upstream_breaker_rejections_total', { upstream: 'product-service' }),
      ).toBeGreaterThan(0);
    });
  });

  describe('and it answers, but not as its contract says', () => {
    let stub: ProductStub;
    let t: TestApp;

    beforeAll(async () => {
      stub = await startProductStub();
      t = await startOrderApp({ PRODUCT_SERVICE_URL: stub.url });
    });

    afterAll(async () => {
      await t?.app.close();
      await stub?.close();
    });

    it('when it answers 503, then the order answers 503 UPSTREAM_UNAVAILABLE with Retry-After', async () => {
      const product = stub.add();
      stub.failWith(503);

      const response = await postOrder(t, await t.authHeader({ userId: objectIdHex() }), {
        lines: [{ productId: product.id, quantity: 1 }],
      });
      stub.failWith(undefined);

      expect(response.statusCode).toBe(503);
      expect(response.json().code).toBe('UPSTREAM_UNAVAILABLE');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });

    it('when a product breaks the product contract, then 502 UPSTREAM_BAD_RESPONSE and no order is stored', async () => {
      const product = stub.add({ sku: 'lower case sku', priceMinor: -5 });

      const response = await postOrder(t, await t.authHeader({ userId: objectIdHex() }), {
        lines: [{ productId: product.id, quantity: 1 }],
      });

      expect(response.statusCode).toBe(502);
      expect(response.json().code).toBe('UPSTREAM_BAD_RESPONSE');
      expect(await t.app.mongo.collection('orders').countDocuments()).toBe(0);
    });
  });

  describe('and it accepts connections but never answers', () => {
    let t: TestApp;
    let silent: http.Server;

    beforeAll(async () => {
      silent = http.createServer(function neverAnswer() {});
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      t = await startOrderApp({ PRODUCT_SERVICE_URL: `http://127.0.0.1:${port}`, PRODUCT_SERVICE_TIMEOUT_MS: '200' });
    });

    afterAll(async () => {
      await t?.app.close();
      silent?.closeAllConnections();
      await new Promise((resolve) => silent?.close(resolve));
    });

    it('when an order is placed, then the short timeout answers 504 UPSTREAM_TIMEOUT instead of hanging', async () => {
      const customer = await t.authHeader({ userId: objectIdHex() });

      const response = await postOrder(t, customer, { lines: [{ productId: objectIdHex(), quantity: 1 }] });

      expect(response.statusCode).toBe(504);
      expect(response.json()).toMatchObject({ code: 'UPSTREAM_TIMEOUT', detail: expect.stringContaining('200 ms') });
    });
  });
});
