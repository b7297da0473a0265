import { objectIdHex, waitFor } from '@platform/test-kit';
import { startOrderApp, type TestApp } from '../../helpers/app';
import { startEventRecorder, type EventRecorder } from '../../helpers/kafka';
import { hashRequest } from '../../../src/domain/idempotency';
import { newIdempotencyKey, postOrder, waitUntilRelayed } from '../../helpers/orders';
import { startProductStub, type ProductStub } from '../../helpers/product-stub';

describe('POST /orders', () => {
  let stub: ProductStub;
  let t: TestApp;
  let recorder: EventRecorder;
  const customerId = objectIdHex();
  let customer: { authorization: string };

  beforeAll(async () => {
    stub = await startProductStub();
    t = await startOrderApp({ PRODUCT_SERVICE_URL: stub.url });
    recorder = await startEventRecorder(t.config.KAFKA_TOPIC_PREFIX, ['order.created']);
    customer = await t.authHeader({ userId: customerId });
  });

  afterAll(async () => {
    await recorder?.close();
    await t?.app.close();
    await stub?.close();
  });

  const ordersInDb = (userId: string) => t.app.mongo.collection('orders').countDocuments({ userId });

  it('when a customer orders known products, then the order is PENDING, priced from the catalog, and order.created is published', async () => {
    const mug = stub.add({ priceMinor: 1_200 });
    const tea = stub.add({ priceMinor: 350 });

    const response = await postOrder(t, customer, {
      lines: [
        { productId: mug.id, quantity: 2 },
        { productId: tea.id, quantity: 3 },
      ],
    });

    expect(response.statusCode).toBe(201);
    const order = response.json();
    expect(order).toMatchObject({
      userId: customerId,
      status: 'PENDING',
      currency: 'EUR',
      totalMinor: 2 * 1_200 + 3 * 350,
      lines: [
        { productId: mug.id, sku: mug.sku, quantity: 2, unitPriceMinor: 1_200 },
        { productId: tea.id, sku: tea.sku, quantity: 3, unitPriceMinor: 350 },
      ],
    });
    expect(response.headers['idempotent-replayed']).toBeUndefined();

    const [created] = await waitFor(
      () => recorder.forOrder('order.created', order.id).length > 0 && recorder.forOrder('order.created', order.id),
      {
        what: 'order.created on Kafka',
      },
    );
    expect(created?.key).toBe(order.id);
    expect(created?.event).toMatchObject({
      type: 'order.created',
      version: 1,
      payload: { orderId: order.id, userId: customerId, totalMinor: 3_450, currency: 'EUR', lines: order.lines },
    });
    const metric = await t.app.metrics.getSingleMetricAsString('orders_created_total');
    expect(metric).toMatch(/orders_created_total\{service="order-service"\} [1-9]/);
  });

  it('when the same key is sent again with the same body, then the stored answer is replayed and no second order exists', async () => {
    const userId = objectIdHex();
    const headers = await t.authHeader({ userId });
    const product = stub.add();
    const body = { lines: [{ productId: product.id, quantity: 1 }], currency: 'EUR' };
    const key = newIdempotencyKey();

    const first = await postOrder(t, headers, body, key);
    stub.add(); // the catalog changing meanwhile does not matter: the answer is replayed, not recomputed
    const second = await postOrder(
      t,
      headers,
      { currency: 'EUR', lines: [{ quantity: 1, productId: product.id }] },
      key,
    );

    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await ordersInDb(userId)).toBe(1);
  });

  it('when the order moved on before the retry, then the retry still gets the first answer (PENDING) and writes nothing', async () => {
    const userId = objectIdHex();
    const headers = await t.authHeader({ userId });
    const product = stub.add();
    const body = { lines: [{ productId: product.id, quantity: 1 }] };
    const key = newIdempotencyKey();
    const first = await postOrder(t, headers, body, key);
    const placed = first.json<{ id: string }>();
    await waitUntilRelayed(t, placed.id);
    await t.app.inject({ method: 'POST', url: `/orders/${placed.id}/cancel`, headers });
    const keyBefore = await t.app.mongo.collection('idempotency_keys').findOne({ userId, key });

    const second = await postOrder(t, headers, body, key);

    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(second.json()).toMatchObject({ status: 'PENDING' });
    expect(await t.app.mongo.collection('idempotency_keys').findOne({ userId, key })).toEqual(keyBefore);
    expect(await ordersInDb(userId)).toBe(1);
  });

  it('when a key was completed by an earlier version (its answer stored on the key), then that answer is replayed', async () => {
    const userId = objectIdHex();
    const headers = await t.authHeader({ userId });
    const product = stub.add();
    const body = { lines: [{ productId: product.id, quantity: 1 }] };
    const key = newIdempotencyKey();
    const at = new Date().toISOString();
    const stored = {
      id: objectIdHex(),
      userId,
      status: 'PENDING',
      lines: [{ productId: product.id, sku: product.sku, quantity: 1, unitPriceMinor: 4242 }],
      currency: 'EUR',
      totalMinor: 4242,
      createdAt: at,
      updatedAt: at,
    };
    await t.app.mongo.collection('idempotency_keys').insertOne({
      userId,
      key,
      requestHash: hashRequest(body),
      orderId: stored.id,
      state: 'COMPLETED',
      leaseOwner: 'an earlier holder',
      leaseUntil: new Date(),
      response: { statusCode: 201, body: stored },
      createdAt: new Date(),
      completedAt: new Date(),
    });

    const replayed = await postOrder(t, headers, body, key);

    expect(replayed.statusCode).toBe(201);
    expect(replayed.json()).toEqual(stored);
    expect(await ordersInDb(userId)).toBe(0);
  });

  it('when the same key is sent with a different body, then 409 IDEMPOTENCY_KEY_REUSED and nothing is created', async () => {
    const userId = objectIdHex();
    const headers = await t.authHeader({ userId });
    const product = stub.add();
    const key = newIdempotencyKey();
    await postOrder(t, headers, { lines: [{ productId: product.id, quantity: 1 }] }, key);

    const reused = await postOrder(t, headers, { lines: [{ productId: product.id, quantity: 2 }] }, key);

    expect(reused.statusCode).toBe(409);
    expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(reused.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 409 });
    expect(await ordersInDb(userId)).toBe(1);
  });

  it('when another user sends the same key, then it is their own key and a separate order', async () => {
    const product = stub.add();
    const key = newIdempotencyKey();
    const body = { lines: [{ productId: product.id, quantity: 1 }] };

    const mine = await postOrder(t, await t.authHeader({ userId: objectIdHex() }), body, key);
    const theirs = await postOrder(t, await t.authHeader({ userId: objectIdHex() }), body, key);

    expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201]);
    expect(theirs.json().id).not.toBe(mine.json().id);
  });

  it('when requests with the same key race, then exactly one order is created and the others replay it or are told to retry', async () => {
    const userId = objectIdHex();
    const headers = await t.authHeader({ userId });
    const product = stub.add();
    const body = { lines: [{ productId: product.id, quantity: 4 }] };
    const key = newIdempotencyKey();

    const responses = await Promise.all(Array.from({ length: 6 }, () => postOrder(t, headers, body, key)));

    const created = responses.filter((r) => r.statusCode === 201);
    const busy = responses.filter((r) => r.statusCode !== 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.json().id)).size).toBe(1);
    for (const response of busy) {
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
      expect(response.headers['retry-after']).toBe('1');
    }
    expect(await ordersInDb(userId)).toBe(1);
  });

  it('when a product does not exist, then 422 UNKNOWN_PRODUCT lists the ids, and the key can be used again', async () => {
    const known = stub.add();
    const missing = [objectIdHex(), objectIdHex()];
    const key = newIdempotencyKey();
    const body = {
      lines: [
        { productId: missing[0], quantity: 1 },
        { productId: known.id, quantity: 1 },
        { productId: missing[1], quantity: 1 },
      ],
    };

    const response = await postOrder(t, customer, body, key);

    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'UNKNOWN_PRODUCT', productIds: missing });
    // Nothing was created, so the key was released: the same request is evaluated again, not replayed.
    const again = await postOrder(t, customer, body, key);
    expect(again.statusCode).toBe(422);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('when products are priced in different currencies, then 422 MIXED_CURRENCIES', async () => {
    const euro = stub.add({ currency: 'EUR' });
    const dollar = stub.add({ currency: 'USD' });

    const response = await postOrder(t, customer, {
      lines: [
        { productId: euro.id, quantity: 1 },
        { productId: dollar.id, quantity: 1 },
      ],
    });

    expect(response.statusCode).toBe(422);
    expect(response.json().code).toBe('MIXED_CURRENCIES');
  });

  it("when the requested currency is not the products' currency, then 422 CURRENCY_MISMATCH", async () => {
    const euro = stub.add({ currency: 'EUR' });

    const response = await postOrder(t, customer, { lines: [{ productId: euro.id, quantity: 1 }], currency: 'USD' });

    expect(response.statusCode).toBe(422);
    expect(response.json().code).toBe('CURRENCY_MISMATCH');
  });

  it('when the body is invalid, then 400 lists every invalid field', async () => {
    const response = await postOrder(t, customer, {
      lines: [{ productId: 'not-an-id', quantity: 0, $where: 'sleep(1000)' }],
      currency: 'euro',
      extra: true,
    });

    expect(response.statusCode).toBe(400);
    const fields = (response.json().errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['/lines/0/productId', '/lines/0/quantity', '/lines/0/$where', '/currency', '/extra']),
    );
  });

  it('when a product appears on two lines, then 400 points at the duplicate', async () => {
    const product = stub.add();

    const response = await postOrder(t, customer, {
      lines: [
        { productId: product.id, quantity: 1 },
        { productId: product.id, quantity: 2 },
      ],
    });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ in: 'body', field: '/lines/1/productId', message: 'duplicates line 0' }],
    });
  });

  it('when there are no lines or more than 100, then 400', async () => {
    const tooMany = Array.from({ length: 101 }, () => ({ productId: objectIdHex(), quantity: 1 }));

    expect((await postOrder(t, customer, { lines: [] })).statusCode).toBe(400);
    expect((await postOrder(t, customer, { lines: tooMany })).statusCode).toBe(400);
  });

  it('when the Idempotency-Key is missing or malformed, then 400 names the header', async () => {
    const product = stub.add();
    const body = { lines: [{ productId: product.id, quantity: 1 }] };

    const missing = await t.app.inject({ method: 'POST', url: '/orders', headers: customer, payload: body });
    const short = await postOrder(t, customer, body, 'short');
    const odd = await postOrder(t, customer, body, 'has spaces and $igns');

    for (const response of [missing, short, odd]) {
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([expect.objectContaining({ in: 'headers' })]);
    }
    expect(missing.json().errors[0].field).toBe('/idempotency-key');
  });

  it('when no valid token is sent, then 401', async () => {
    const product = stub.add();
    const body = { lines: [{ productId: product.id, quantity: 1 }] };

    const anonymous = await postOrder(t, {}, body);
    const forged = await postOrder(t, { authorization: 'Bearer a.b.c' }, body);

    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('UNAUTHENTICATED');
    expect(forged.statusCode).toBe(401);
  });
});
