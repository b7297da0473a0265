import { objectIdHex, waitFor } from '@platform/test-kit';
import { startOrderApp, type TestApp } from '../../helpers/app';
import { startEventRecorder, type EventRecorder } from '../../helpers/kafka';
import { placeOrderOk, waitUntilRelayed } from '../../helpers/orders';
import { startProductStub, type ProductStub } from '../../helpers/product-stub';

describe('POST /orders/:id/cancel', () => {
  let stub: ProductStub;
  let t: TestApp;
  let recorder: EventRecorder;
  const ownerId = objectIdHex();
  const adminId = objectIdHex();
  let owner: { authorization: string };
  let admin: { authorization: string };
  let productId: string;

  beforeAll(async () => {
    stub = await startProductStub();
    t = await startOrderApp({ PRODUCT_SERVICE_URL: stub.url });
    recorder = await startEventRecorder(t.config.KAFKA_TOPIC_PREFIX, ['order.cancelled']);
    owner = await t.authHeader({ userId: ownerId });
    admin = await t.authHeader({ userId: adminId, role: 'admin' });
    productId = stub.add().id;
  });

  afterAll(async () => {
    await recorder?.close();
    await t?.app.close();
    await stub?.close();
  });

  async function newOrder() {
    const order = await placeOrderOk(t, owner, { lines: [{ productId, quantity: 1 }] });
    await waitUntilRelayed(t, order.id);
    return order;
  }
  const cancel = (id: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: `/orders/${id}/cancel`, headers });

  it('when the owner cancels a PENDING order, then it is CANCELLED and order.cancelled is published', async () => {
    const order = await newOrder();

    const response = await cancel(order.id, owner);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: order.id, status: 'CANCELLED', cancelledBy: ownerId });
    const [cancelled] = await waitFor(
      () => recorder.forOrder('order.cancelled', order.id).length > 0 && recorder.forOrder('order.cancelled', order.id),
      { what: 'order.cancelled on Kafka' },
    );
    expect(cancelled?.event.payload).toEqual({
      orderId: order.id,
      userId: ownerId,
      previousStatus: 'PENDING',
      cancelledBy: ownerId,
    });
    expect(await t.app.metrics.getSingleMetricAsString('orders_finalised_total')).toMatch(
      /orders_finalised_total\{status="CANCELLED",service="order-service"\} [1-9]/,
    );
  });

  it('when an admin cancels a CONFIRMED order, then it is CANCELLED with CONFIRMED as the previous status', async () => {
    const order = await newOrder();
    // As inventory's answer would (the consumer's own path is covered in test/consumers).
    await t.app.orderRepository.changeStatus(order.id, { from: 'PENDING', to: 'CONFIRMED', events: [] });

    const response = await cancel(order.id, admin);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'CANCELLED', cancelledBy: adminId });
    await waitFor(() => recorder.forOrder('order.cancelled', order.id).length === 1, { what: 'order.cancelled' });
    expect(recorder.forOrder('order.cancelled', order.id)[0]?.event.payload.previousStatus).toBe('CONFIRMED');
  });

  it('when the order is already cancelled, then 409 ORDER_STATE_CONFLICT and no second event', async () => {
    const order = await newOrder();
    await cancel(order.id, owner);

    const again = await cancel(order.id, owner);

    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ORDER_STATE_CONFLICT');
    await waitFor(() => recorder.forOrder('order.cancelled', order.id).length > 0, { what: 'the first event' });
    expect(recorder.forOrder('order.cancelled', order.id)).toHaveLength(1);
  });

  it('when two cancels race, then exactly one wins and one event is written', async () => {
    const order = await newOrder();

    const responses = await Promise.all([cancel(order.id, owner), cancel(order.id, admin)]);

    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    await waitFor(() => recorder.forOrder('order.cancelled', order.id).length > 0, { what: 'order.cancelled' });
    expect(recorder.forOrder('order.cancelled', order.id)).toHaveLength(1);
  });

  it("when someone else's order is cancelled, then 404 and it stays as it was", async () => {
    const order = await newOrder();

    const response = await cancel(order.id, await t.authHeader({ userId: objectIdHex() }));

    expect(response.statusCode).toBe(404);
    expect((await t.app.orderRepository.findById(order.id))?.status).toBe('PENDING');
  });

  it('when the order does not exist or the id is malformed, then 404 or 400', async () => {
    expect((await cancel(objectIdHex(), admin)).statusCode).toBe(404);
    expect((await cancel('nope', admin)).statusCode).toBe(400);
  });

  it('when no token is sent, then 401', async () => {
    expect((await cancel(objectIdHex(), {})).statusCode).toBe(401);
  });
});
