import { Agent } from 'undici';
import { eventCatalogue, EventTypes, type EventPayloads, type EventType } from '@platform/events';
import { catalogueEvent } from '@platform/kit';
import { objectIdHex, startPrivateRedis, waitFor } from '@platform/test-kit';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { openSse } from '../helpers/sse';
import { json, tokenSubject } from '../helpers/stub-service';

describe('GET /api/v1/orders/:id/events', () => {
  let consumerReplica: TestGateway;
  let streamReplica: TestGateway;
  let streamUrl: string;
  const owner = objectIdHex();
  const orders = new Map<string, { userId: string; status: string }>();
  const agent = new Agent();

  beforeAll(async () => {
    consumerReplica = await startTestGateway({ SSE_HEARTBEAT_MS: '200' });
    // A second replica in the same consumer group: whichever consumes an event, both replicas' streams see it.
    streamReplica = await startTestGateway(
      {
        SSE_HEARTBEAT_MS: '200',
        SSE_MAX_STREAMS_PER_USER: '2',
        KAFKA_TOPIC_PREFIX: consumerReplica.config.KAFKA_TOPIC_PREFIX,
      },
      { stubs: consumerReplica.stubs, issuer: consumerReplica.issuer },
    );
    consumerReplica.stubs.order.handle(function orderService(request, res) {
      const order = orders.get(request.url.split('/')[2] ?? '');
      // Like the order service: someone else's order does not exist for you.
      if (!order || order.userId !== tokenSubject(request.headers)) return json(res, 404, { code: 'ORDER_NOT_FOUND' });
      json(res, 200, { id: request.url.split('/')[2], userId: order.userId, status: order.status });
    });
    streamUrl = await streamReplica.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await agent.destroy();
    await streamReplica.close();
    await consumerReplica.close();
  });

  function publish<T extends EventType>(type: T, payload: EventPayloads[T] & { orderId: string }) {
    const { topic, event } = catalogueEvent(eventCatalogue, type, payload);
    return consumerReplica.app.kafka.producer.publish(topic, event, { key: payload.orderId });
  }

  it('when the owner watches a pending order, then PENDING comes first, then each change as Kafka delivers it, and the stream ends after a final status', async () => {
    const orderId = objectIdHex();
    orders.set(orderId, { userId: owner, status: 'PENDING' });
    const token = await consumerReplica.issuer.token({ userId: owner });
    const sse = await openSse(
      `${streamUrl}/api/v1/orders/${orderId}/events`,
      { authorization: `Bearer ${token}` },
      agent,
    );
    expect(sse.status).toBe(200);
    expect(sse.headers.get('cache-control')).toContain('no-cache');
    expect(sse.headers.get('x-content-type-options')).toBe('nosniff');
    expect(sse.headers.get('content-encoding')).toBeNull();

    const first = await sse.next();
    expect(first?.event).toBe('status');
    expect(JSON.parse(first!.data)).toEqual({ orderId, status: 'PENDING' });

    // A redelivered order.created must not move the client back or repeat itself.
    await publish(EventTypes.OrderCreated, {
      orderId,
      userId: owner,
      lines: [{ productId: objectIdHex(), sku: 'SKU-1', quantity: 1, unitPriceMinor: 100 }],
      totalMinor: 100,
      currency: 'EUR',
    });
    await publish(EventTypes.OrderConfirmed, { orderId, userId: owner });
    const confirmed = await sse.next();
    expect(JSON.parse(confirmed!.data)).toMatchObject({ orderId, status: 'CONFIRMED', occurredAt: expect.any(String) });

    await publish(EventTypes.OrderCancelled, {
      orderId,
      userId: owner,
      previousStatus: 'CONFIRMED',
      cancelledBy: owner,
    });
    const cancelled = await sse.next();
    expect(JSON.parse(cancelled!.data)).toMatchObject({ status: 'CANCELLED' });
    expect(await sse.next()).toBeUndefined();
  });

  it('when the order is already final, then its status is sent and the stream ends', async () => {
    const orderId = objectIdHex();
    orders.set(orderId, { userId: owner, status: 'REJECTED' });
    const token = await consumerReplica.issuer.token({ userId: owner });
    const sse = await openSse(
      `${streamUrl}/api/v1/orders/${orderId}/events`,
      { authorization: `Bearer ${token}` },
      agent,
    );
    expect(JSON.parse((await sse.next())!.data)).toMatchObject({ status: 'REJECTED' });
    expect(await sse.next()).toBeUndefined();
  });

  it('when another user asks for the stream, then 404 problem+json', async () => {
    const orderId = objectIdHex();
    orders.set(orderId, { userId: owner, status: 'PENDING' });
    const stranger = await consumerReplica.issuer.token({ userId: objectIdHex() });
    const sse = await openSse(
      `${streamUrl}/api/v1/orders/${orderId}/events`,
      { authorization: `Bearer ${stranger}` },
      agent,
    );
    expect(sse.status).toBe(404);
    expect(JSON.parse(sse.body)).toMatchObject({ code: 'ORDER_NOT_FOUND' });
  });

  it('when no token is sent, then 401; when the id is malformed, then 400 naming the field', async () => {
    const anonymous = await streamReplica.app.inject({ method: 'GET', url: `/api/v1/orders/${objectIdHex()}/events` });
    expect(anonymous.statusCode).toBe(401);
    const token = await consumerReplica.issuer.token({ userId: owner });
    const malformed = await streamReplica.app.inject({
      method: 'GET',
      url: '/api/v1/orders/not-an-id/events',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ field: '/id' })],
    });
  });

  it('when the client goes away, then its subscription is released', async () => {
    const orderId = objectIdHex();
    orders.set(orderId, { userId: owner, status: 'PENDING' });
    const token = await consumerReplica.issuer.token({ userId: owner });
    const sse = await openSse(
      `${streamUrl}/api/v1/orders/${orderId}/events`,
      { authorization: `Bearer ${token}` },
      agent,
    );
    await sse.next();
    const channels = () =>
      streamReplica.app.redis.pubsub('NUMSUB', `order-status:${orderId}`) as Promise<[string, number]>;
    expect((await channels())[1]).toBe(1);
    sse.close();
    await waitFor(async () => (await channels())[1] === 0, { what: 'the subscription to be released' });
  });

  it('when Redis goes away while streams are open and changes are missed meanwhile, then after the reconnect each stream reads the status again: it shows the change, or ends when the read fails', async () => {
    // A Redis of this test's own, so stopping it disturbs nobody; only this replica's subscriber is on it.
    const redis = await startPrivateRedis();
    const isolated = await startTestGateway(
      { SSE_HEARTBEAT_MS: '200', REDIS_URL: redis.url },
      { stubs: consumerReplica.stubs, issuer: consumerReplica.issuer },
    );
    try {
      const url = await isolated.app.listen({ port: 0, host: '127.0.0.1' });
      const token = await consumerReplica.issuer.token({ userId: owner });
      const open = async (status: string) => {
        const orderId = objectIdHex();
        orders.set(orderId, { userId: owner, status });
        const sse = await openSse(
          `${url}/api/v1/orders/${orderId}/events`,
          { authorization: `Bearer ${token}` },
          agent,
        );
        expect(JSON.parse((await sse.next())!.data)).toMatchObject({ status });
        return { orderId, sse };
      };
      const cancelled = await open('CONFIRMED');
      const vanished = await open('PENDING');

      await redis.stop();
      // Published while nobody listened: Redis pub/sub keeps nothing, so only a fresh read can tell the streams.
      orders.set(cancelled.orderId, { userId: owner, status: 'CANCELLED' });
      // This one's read will fail (404): the stream cannot know what it missed, so it must end.
      orders.delete(vanished.orderId);
      await redis.start();

      expect(JSON.parse((await cancelled.sse.next())!.data)).toMatchObject({
        orderId: cancelled.orderId,
        status: 'CANCELLED',
      });
      expect(await cancelled.sse.next()).toBeUndefined();
      expect(await vanished.sse.next()).toBeUndefined();
    } finally {
      await isolated.close();
      await redis.stop();
    }
  });

  it('when a user opens more streams than allowed, then 429 TOO_MANY_STREAMS until one of them ends', async () => {
    const user = objectIdHex();
    const token = await consumerReplica.issuer.token({ userId: user });
    const open = async () => {
      const orderId = objectIdHex();
      orders.set(orderId, { userId: user, status: 'PENDING' });
      return openSse(`${streamUrl}/api/v1/orders/${orderId}/events`, { authorization: `Bearer ${token}` }, agent);
    };
    const first = await open();
    const second = await open();
    await Promise.all([first.next(), second.next()]);
    const third = await open();
    expect(third.status).toBe(429);
    expect(JSON.parse(third.body)).toMatchObject({ code: 'TOO_MANY_STREAMS' });
    // Another user is not affected.
    const other = objectIdHex();
    const otherOrder = objectIdHex();
    orders.set(otherOrder, { userId: other, status: 'PENDING' });
    const otherToken = await consumerReplica.issuer.token({ userId: other });
    const theirs = await openSse(
      `${streamUrl}/api/v1/orders/${otherOrder}/events`,
      { authorization: `Bearer ${otherToken}` },
      agent,
    );
    expect(theirs.status).toBe(200);
    theirs.close();

    first.close();
    await waitFor(
      async () => {
        const next = await open();
        next.close();
        return next.status === 200;
      },
      { what: 'a slot to be freed when a stream ends' },
    );
    second.close();
  });
});
