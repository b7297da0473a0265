import Joi from 'joi';
import { Registry } from 'prom-client';
import { uniqueName, waitFor } from '@platform/test-kit';
import {
  createApp,
  createConsumer,
  createEvent,
  createProducer,
  ensureTopics,
  type EventConsumer,
  type EventProducer,
  type ProcessedEventStore,
} from '@platform/kit';
import { fastConsumerConfig, oneTypeCatalogue, setUpKafkaFixture, type KafkaFixture } from './kafka-fixture';

const topic = uniqueName('kit-liveness');

describe('consumer liveness', () => {
  let fixture: KafkaFixture;
  let producer: EventProducer;
  let consumer: EventConsumer;

  beforeAll(async () => {
    fixture = await setUpKafkaFixture('kit-liveness');
    await ensureTopics(fixture.admin, [{ topic, numPartitions: 1 }]);
    producer = createProducer({ kafka: fixture.kafka, registry: new Registry() });
  });

  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    await fixture?.close();
  });

  it('when the consumer meets an error kafkajs will not restart from, then it reports itself dead (for the liveness probe)', async () => {
    // A store that fails in a way that is neither transient nor the handler's: a bug, which kafkajs gives up on.
    const broken: ProcessedEventStore = {
      isProcessed: async () => {
        throw new TypeError('processed-event store is broken');
      },
      markProcessed: async () => undefined,
    };
    consumer = createConsumer({
      kafka: fixture.kafka,
      groupId: uniqueName('kit-liveness'),
      catalogue: oneTypeCatalogue(topic, 'thing.happened', Joi.object()),
      handlers: { 'thing.happened': async () => undefined },
      processedEvents: broken,
      registry: new Registry(),
      logger: fixture.logger,
      consumerConfig: { ...fastConsumerConfig, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 } },
    });
    await consumer.start();
    await waitFor(() => consumer.isRunning(), { what: 'the consumer to join' });
    expect(consumer.isAlive()).toBe(true);

    await producer.publish(topic, createEvent('thing.happened', {}), { key: 'k' });

    await waitFor(() => !consumer.isAlive(), { what: 'the consumer to report itself dead', timeoutMs: 30_000 });
  });

  it('when a liveness check fails, then /health/live answers 503 naming it, while /health/ready stays 200', async () => {
    const app = await createApp({ config: { SERVICE_NAME: 'liveness', LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: 1024 } });
    let alive = true;
    app.health.registerLiveness('kafka-consumers', async () => {
      if (!alive) throw new Error('1 Kafka consumer(s) stopped for good');
      return true;
    });
    try {
      expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
      alive = false;
      const live = await app.inject({ url: '/health/live' });
      expect(live.statusCode).toBe(503);
      expect(live.json()).toEqual({
        status: 'unavailable',
        checks: { 'kafka-consumers': { status: 'down', error: '1 Kafka consumer(s) stopped for good' } },
      });
      expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
