import Joi from 'joi';
import mongoose, { type Connection } from 'mongoose';
import { Registry } from 'prom-client';
import type { Component } from '@platform/local-infra';
import { startPrivateMongo, uniqueName, waitFor } from '@platform/test-kit';
import {
  createConsumer,
  createEvent,
  createProcessedEventStore,
  createProducer,
  deadLetterTopic,
  ensureTopics,
  type EventConsumer,
  type EventEnvelope,
  type EventProducer,
} from '@platform/kit';
import {
  fastConsumerConfig,
  metricValue,
  oneTypeCatalogue,
  setUpKafkaFixture,
  type KafkaFixture,
} from './kafka-fixture';

interface StockCounted {
  sku: string;
  quantity: number;
}

const topic = uniqueName('kit-db-outage');
const groupId = uniqueName('kit-db-outage');

/** A database of this file's own (stopped and started by the test), and the shared broker. */
describe('a consumer whose database goes down while it handles an event', () => {
  let fixture: KafkaFixture;
  let database: Component;
  let connection: Connection;
  let producer: EventProducer;
  let consumer: EventConsumer;
  const registry = new Registry();

  beforeAll(async () => {
    fixture = await setUpKafkaFixture('kit-db-outage');
    database = await startPrivateMongo();
    // What the mongo plugin does, with quick server selection so a failed attempt is not a long wait.
    connection = await mongoose
      .createConnection(`${database.url}outage`, { serverSelectionTimeoutMS: 1_000, bufferCommands: false })
      .asPromise();
    await ensureTopics(fixture.admin, [{ topic, numPartitions: 1 }]);
    producer = createProducer({ kafka: fixture.kafka, registry });
    const stock = connection.collection<{ _id: string; quantity: number }>('stock');
    const schema = Joi.object<StockCounted>({ sku: Joi.string().required(), quantity: Joi.number().required() });
    consumer = createConsumer({
      kafka: fixture.kafka,
      groupId,
      catalogue: oneTypeCatalogue(topic, 'stock.counted', schema),
      handlers: {
        // A handler like the services' own: one write to its database.
        async 'stock.counted'(event: EventEnvelope<StockCounted>) {
          await stock.updateOne(
            { _id: event.payload.sku },
            { $set: { quantity: event.payload.quantity } },
            { upsert: true },
          );
        },
      },
      processedEvents: createProcessedEventStore(connection),
      registry,
      logger: fixture.logger,
      maxAttempts: 2,
      backoff: { initialMs: 20, maxMs: 50 },
      transientBackoff: { initialMs: 200, maxMs: 1_000 },
      consumerConfig: fastConsumerConfig,
    });
    await consumer.start();
    await waitFor(() => consumer.isRunning(), { what: 'the consumer to join its group' });
  }, 180_000);

  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    await connection?.close();
    await database?.stop();
    await fixture?.close();
  });

  it('when the database is down during handling, then the event is not dead-lettered, and it is handled once the database returns', async () => {
    await database.stop();
    const event = createEvent('stock.counted', { sku: 'G-1', quantity: 42 });
    await producer.publish(topic, event, { key: 'G-1' });

    // Many more failed attempts than maxAttempts, none of them a dead letter.
    await waitFor(
      async () => (await metricValue(registry, 'kafka_messages_consumed_total', { topic, outcome: 'retried' })) >= 4,
      { what: 'several retries while the database is down', timeoutMs: 60_000 },
    );
    expect(await metricValue(registry, 'kafka_dlq_messages_total', { topic })).toBe(0);
    expect(consumer.isAlive()).toBe(true);

    await database.start();

    await waitFor(
      async () => (await connection.collection('stock').findOne({ _id: 'G-1' as never }))?.quantity === 42,
      { what: 'the event to be handled after the database returned', timeoutMs: 60_000 },
    );
    await waitFor(
      async () => (await metricValue(registry, 'kafka_messages_consumed_total', { topic, outcome: 'processed' })) === 1,
      { what: 'the event to be marked processed' },
    );
    const [dlq] = await fixture.admin.fetchTopicOffsets(deadLetterTopic(topic));
    expect(dlq?.high).toBe('0');
    expect(await metricValue(registry, 'kafka_messages_consumed_total', { topic, outcome: 'dead_lettered' })).toBe(0);
  }, 180_000);
});
