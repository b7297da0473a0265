import type { FastifyInstance } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import type { Component } from '@platform/local-infra';
import { isolatedMongoUrl, startPrivateKafka, uniqueName, waitFor } from '@platform/test-kit';
import { createApp, createEvent, kafka, mongo, outboxEntry } from '@platform/kit';
import { startRecorder, type ReceivedMessage } from './kafka-fixture';

const config = { SERVICE_NAME: 'outbox-test', LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: 1024 } as const;

describe('outbox relay through the kafka plugin', () => {
  const topic = uniqueName('orders');
  let broker: Component;
  let app: FastifyInstance;
  let recorded: ReceivedMessage[];
  let stopRecorder: () => Promise<void>;

  beforeAll(async () => {
    broker = await startPrivateKafka();
    app = await createApp({ config });
    await app.register(mongo, { url: isolatedMongoUrl('outbox') });
    await app.register(kafka, {
      clientId: 'outbox-test',
      brokers: [broker.url],
      topics: [{ topic, numPartitions: 1 }],
    });
    app.kafka.addOutboxRelay('orders', { intervalMs: 50 });
    await app.ready();

    const reader = new Kafka({ clientId: 'outbox-reader', brokers: [broker.url], logLevel: logLevel.NOTHING });
    const recorder = await startRecorder(reader, [topic]);
    recorded = recorder.messages;
    stopRecorder = () => recorder.consumer.disconnect();
  });

  afterAll(async () => {
    await stopRecorder?.();
    await app?.close();
    await broker?.stop();
  });

  const orders = () => app.mongo.collection('orders');
  const eventIds = () => recorded.map((m) => (JSON.parse(m.value!) as { id: string }).id);

  function placeOrder(orderId: string) {
    const event = createEvent('order.created', { orderId });
    // State and event in one document write: the only atomicity FerretDB (and this design) needs.
    return orders()
      .insertOne({ _id: orderId as never, status: 'PENDING', outbox: [outboxEntry(topic, orderId, event)] })
      .then(() => event);
  }

  it('when a document carries an outbox entry, then the relay publishes it keyed by aggregate and empties the outbox', async () => {
    const event = await placeOrder('order-1');

    await waitFor(() => eventIds().includes(event.id), { what: 'the event on the topic' });
    expect(recorded.find((m) => m.key === 'order-1')).toBeDefined();
    await waitFor(
      async () => ((await orders().findOne({ _id: 'order-1' as never }))?.outbox as unknown[]).length === 0,
      {
        what: 'the outbox to empty',
      },
    );
    expect(await orders().findOne({ _id: 'order-1' as never })).not.toHaveProperty('outboxLeaseOwner');
  });

  it('when Kafka is down as an order is placed, then the event waits in the outbox and is published once Kafka returns', async () => {
    await broker.stop();
    const event = await placeOrder('order-2');

    const pending = await app.metrics.getSingleMetricAsString('outbox_backlog');
    expect(pending).toContain('outbox_backlog{collection="orders",service="outbox-test"} 1');
    expect(eventIds()).not.toContain(event.id);

    await broker.start();

    await waitFor(() => eventIds().includes(event.id), { what: 'the event after Kafka returned', timeoutMs: 270_000 });
    expect(eventIds().filter((id) => id === event.id)).toHaveLength(1);
    await waitFor(
      async () => ((await orders().findOne({ _id: 'order-2' as never }))?.outbox as unknown[]).length === 0,
      {
        what: 'the outbox to empty',
      },
    );
  }, 360_000);

  it('when the app closes, then readiness had reported kafka up and the relay stops cleanly', async () => {
    const report = await app.health.check();
    expect(report.checks.kafka).toEqual({ status: 'up' });
  });
});
