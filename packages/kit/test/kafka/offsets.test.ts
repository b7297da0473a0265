import Joi from 'joi';
import { Registry } from 'prom-client';
import { committedOffset, uniqueName, waitFor } from '@platform/test-kit';
import {
  createConsumer,
  createEvent,
  createProducer,
  ensureTopics,
  type BackoffOptions,
  type EventConsumer,
  type EventEnvelope,
  type EventProducer,
} from '@platform/kit';
import {
  oneTypeCatalogue,
  fastConsumerConfig,
  metricValue,
  setUpKafkaFixture,
  type KafkaFixture,
} from './kafka-fixture';

interface Ping {
  n: number;
}

const pingSchema = Joi.object<Ping>({ n: Joi.number().integer().required() });
const topic = uniqueName('kit-offsets');
const groupId = uniqueName('kit-offsets-group');

let fixture: KafkaFixture;
let producer: EventProducer;

beforeAll(async () => {
  fixture = await setUpKafkaFixture('kit-offsets');
  await ensureTopics(fixture.admin, [{ topic, numPartitions: 1 }]);
  producer = createProducer({ kafka: fixture.kafka, registry: new Registry() });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await fixture?.close();
});

/** Every consumer in this file is a new member of the same group, as after a restart or a redeploy. */
async function startConsumer(
  handle: (event: EventEnvelope<Ping>) => Promise<void>,
  registry: Registry,
  backoff: BackoffOptions = { initialMs: 10 },
): Promise<EventConsumer> {
  const consumer = createConsumer({
    kafka: fixture.kafka,
    groupId,
    catalogue: oneTypeCatalogue(topic, 'ping', pingSchema),
    handlers: { ping: handle },
    processedEvents: fixture.processedEvents,
    registry,
    logger: fixture.logger,
    maxAttempts: 3,
    backoff,
    consumerConfig: fastConsumerConfig,
  });
  await consumer.start();
  await waitFor(() => consumer.isRunning(), { what: 'the consumer to join its group' });
  return consumer;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

test('when a handler is still running, then its offset is not committed; when stop() is called meanwhile, then the handler finishes and its offset is committed', async () => {
  const started = deferred();
  const release = deferred();
  const handled: string[] = [];
  const consumer = await startConsumer(async function slowHandler(event) {
    started.resolve();
    await release.promise;
    handled.push(event.id);
  }, new Registry());
  const first = createEvent('ping', { n: 1 });
  await producer.publish(topic, first, { key: 'k' });

  await started.promise;
  expect(await committedOffset(fixture.admin, groupId, topic)).toBe('-1');
  const stopping = consumer.stop();
  release.resolve();
  await stopping;

  expect(handled).toEqual([first.id]);
  expect(await committedOffset(fixture.admin, groupId, topic)).toBe('1');
  expect(consumer.isRunning()).toBe(false);
});

test('when the consumer stops while an event waits for a retry, then the next consumer of the group gets that event again but none already handled', async () => {
  const attempts: string[] = [];
  // A long backoff: the consumer is stopped while waiting in it, before a second attempt.
  const interrupted = await startConsumer(
    async function failingHandler(event) {
      attempts.push(event.id);
      throw new Error('simulated failure');
    },
    new Registry(),
    { initialMs: 60_000 },
  );
  const second = createEvent('ping', { n: 2 });
  await producer.publish(topic, second, { key: 'k' });
  await waitFor(() => attempts.length === 1, { what: 'the first attempt' });
  await interrupted.stop();
  expect(attempts).toEqual([second.id]);
  expect(await committedOffset(fixture.admin, groupId, topic)).toBe('1');

  const registry = new Registry();
  const handled: string[] = [];
  const restarted = await startConsumer(async function recordingHandler(event) {
    handled.push(event.id);
  }, registry);
  try {
    await waitFor(() => handled.length > 0, { what: 'the interrupted event to be redelivered' });
    await waitFor(async () => (await committedOffset(fixture.admin, groupId, topic)) === '2', { what: 'the commit' });
    expect(handled).toEqual([second.id]);
    // Had the first event been redelivered, the processed-events check would have counted it as a duplicate.
    expect(await metricValue(registry, 'kafka_messages_consumed_total', { topic, outcome: 'duplicate' })).toBe(0);
    expect(await metricValue(registry, 'kafka_messages_consumed_total', { topic, outcome: 'processed' })).toBe(1);
  } finally {
    await restarted.stop();
  }
});
