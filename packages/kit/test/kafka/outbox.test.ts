import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import pino from 'pino';
import type { Component } from '@platform/local-infra';
import { isolatedMongoUrl, startPrivateKafka, uniqueName, waitFor } from '@platform/test-kit';
import { createApp, createEvent, createKafka, kafka, outboxEntry, type OutboxRelay } from '@platform/kit';
import { mongo } from '@platform/kit/mongoose';
import { startRecorder, type ReceivedMessage } from './kafka-fixture';

const config = {
  SERVICE_NAME: 'outbox-test',
  LOG_LEVEL: (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent',
  BODY_LIMIT_BYTES: 1024,
} as const;

/** A broker of this file's own, so it can be stopped while the app keeps running. */
describe('outbox relay through the kafka plugin, with the broker going away', () => {
  const topic = uniqueName('orders');
  let broker: Component;
  let app: FastifyInstance;
  let relay: OutboxRelay;
  let reader: Kafka;
  let recorded: ReceivedMessage[] = [];
  let stopRecorder: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    broker = await startPrivateKafka();
    app = await createApp({ config });
    await app.register(mongo, { url: isolatedMongoUrl('outbox') });
    await app.register(kafka, {
      clientId: 'outbox-test',
      brokers: [broker.url],
      topics: [{ topic, numPartitions: 1 }],
    });
    relay = app.kafka.addOutboxRelay('orders', { sweepIntervalMs: 60_000 });
    await app.ready();

    reader = createKafka({ clientId: 'outbox-reader', brokers: [broker.url], logger: pino({ level: 'silent' }) });
    await startRecording();
  }, 180_000);

  afterAll(async () => {
    await stopRecording();
    await app?.close();
    await broker?.stop();
  });

  /** A fresh group reading the topic from the beginning: every event on it, each as often as it was published. */
  async function startRecording() {
    const recorder = await startRecorder(reader, [topic]);
    recorded = recorder.messages;
    stopRecorder = () => recorder.consumer.disconnect();
  }

  async function stopRecording() {
    await stopRecorder?.();
    stopRecorder = undefined;
  }

  /**
   * The recorder is the test's eyes, not the relay under test: it leaves before the broker does, and a fresh one reads
   * the topic once the broker is back. A kafkajs consumer kept through an outage crashes and restarts by itself, and
   * disconnect() does not stop a restart already under way (tulios/kafkajs#852): left on the stopped broker at the
   * end, it restarted forever and held the jest worker open. Kept through a broker restart, a group also now and then
   * never fetched again (as services/order/test/kafka-outage.test.ts found).
   */
  async function stopBroker() {
    await stopRecording();
    await broker.stop();
  }

  const orders = () => app.mongo.collection('orders');
  const eventIds = () => recorded.map((m) => (JSON.parse(m.value!) as { id: string }).id);

  /** What a service's repository does: state and event in one document write, then the hand-over to the relay. */
  async function placeOrder(orderId: string) {
    const event = createEvent('order.created', { orderId });
    const outbox = [outboxEntry(topic, orderId, event)];
    const stamp = relay.stamp();
    await orders().insertOne({ _id: orderId as never, status: 'PENDING', outbox, ...stamp.fields });
    relay.publishAfterWrite(orderId, stamp, { outbox });
    return event;
  }

  it('when a document carries an outbox entry, then the relay publishes it keyed by aggregate and empties the outbox', async () => {
    const event = await placeOrder('order-1');

    await waitFor(() => eventIds().includes(event.id), { what: 'the event on the topic' });
    expect(recorded.find((m) => m.key === 'order-1')).toBeDefined();
    await waitFor(async () => (await orders().findOne({ _id: 'order-1' as never }))?.outbox.length === 0, {
      what: 'the outbox to empty',
    });
  });

  it('when Kafka is down as an order is placed, then the event waits without counting attempts and is published once, within seconds of Kafka returning', async () => {
    await stopBroker();
    const event = await placeOrder('order-2');

    await waitFor(async () => (await orders().findOne({ _id: 'order-2' as never }))?.outboxLease === undefined, {
      what: 'the failed publish to hand the document to the sweep',
    });
    const waiting = await orders().findOne({ _id: 'order-2' as never });
    expect(waiting).toMatchObject({ outboxPending: true });
    expect(waiting).not.toHaveProperty('outboxAttempts');
    const backlog = await app.metrics.getSingleMetricAsString('outbox_backlog');
    expect(backlog).toContain('outbox_backlog{collection="orders",service="outbox-test"} 1');

    await broker.start();
    const returned = Date.now();
    await startRecording();

    await waitFor(() => eventIds().includes(event.id), { what: 'the event after Kafka returned', timeoutMs: 60_000 });
    process.stdout.write(`outbox: published ${Date.now() - returned} ms after the broker answered again\n`);
    expect(Date.now() - returned).toBeLessThan(30_000);
    expect(eventIds().filter((id) => id === event.id)).toHaveLength(1);
    await waitFor(async () => (await orders().findOne({ _id: 'order-2' as never }))?.outbox.length === 0, {
      what: 'the outbox to empty',
    });
  }, 240_000);

  it('when the relay stops while publishes hang on a stopped broker, then stop returns within its budget and says whether they ended', async () => {
    await stopBroker();
    await Promise.all(Array.from({ length: 5 }, (_, i) => placeOrder(`order-stop-${i}`)));

    const started = Date.now();
    const stopped = await relay.stop(2_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(typeof stopped).toBe('boolean');
    // Whatever did not go out stays in the outbox for the next sweep: nothing is lost.
    expect(await orders().countDocuments({ outboxPending: true })).toBe(5);
  }, 120_000);
});
