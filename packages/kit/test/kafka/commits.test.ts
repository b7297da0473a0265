import Joi from 'joi';
import type { Consumer, Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { committedOffset, uniqueName, waitFor } from '@platform/test-kit';
import {
  createConsumer,
  createEvent,
  createProducer,
  ensureTopics,
  type EventConsumer,
  type EventEnvelope,
  type EventProducer,
  type ProcessedEventStore,
} from '@platform/kit';
import {
  fastConsumerConfig,
  metricValue,
  oneTypeCatalogue,
  setUpKafkaFixture,
  type KafkaFixture,
} from './kafka-fixture';

interface Ping {
  n: number;
}

const pingSchema = Joi.object<Ping>({ n: Joi.number().integer().required() });

let fixture: KafkaFixture;
let producer: EventProducer;

beforeAll(async () => {
  fixture = await setUpKafkaFixture('kit-commits');
  producer = createProducer({ kafka: fixture.kafka, registry: new Registry() });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await fixture?.close();
});

/** The fixture's client, handing out consumers whose offset commits are counted (kafkajs' instrumentation event). */
function countingCommits(kafka: Kafka): { kafka: Kafka; commits: () => number } {
  let commits = 0;
  const counting = Object.create(kafka) as Kafka;
  counting.consumer = (config) => {
    const consumer: Consumer = kafka.consumer(config);
    consumer.on(consumer.events.COMMIT_OFFSETS, () => commits++);
    return consumer;
  };
  return { kafka: counting, commits: () => commits };
}

async function startConsumer(options: {
  topic: string;
  groupId: string;
  kafka: Kafka;
  processedEvents: ProcessedEventStore | null;
  registry: Registry;
  handle(event: EventEnvelope<Ping>): Promise<void>;
}): Promise<EventConsumer> {
  const consumer = createConsumer({
    kafka: options.kafka,
    groupId: options.groupId,
    catalogue: oneTypeCatalogue(options.topic, 'ping', pingSchema),
    handlers: { ping: options.handle },
    processedEvents: options.processedEvents,
    registry: options.registry,
    logger: fixture.logger,
    consumerConfig: fastConsumerConfig,
  });
  await consumer.start();
  await waitFor(() => consumer.isRunning(), { what: 'the consumer to join its group' });
  return consumer;
}

test('when events wait in a partition, then they are handled in order and committed per batch, not per event', async () => {
  const topic = uniqueName('kit-commits-batch');
  const groupId = uniqueName('kit-commits-batch-group');
  await ensureTopics(fixture.admin, [{ topic, numPartitions: 1 }]);
  const events = Array.from({ length: 40 }, (_, n) => createEvent('ping', { n }));
  for (const event of events) await producer.publish(topic, event, { key: 'k' });
  const { kafka, commits } = countingCommits(fixture.kafka);
  const handled: number[] = [];

  const consumer = await startConsumer({
    topic,
    groupId,
    kafka,
    processedEvents: fixture.processedEvents,
    registry: new Registry(),
    handle: async (event) => void handled.push(event.payload.n),
  });
  try {
    await waitFor(async () => (await committedOffset(fixture.admin, groupId, topic)) === '40', {
      what: 'every event to be committed',
    });
    expect(handled).toEqual(events.map((_, n) => n));
    // One commit per message would be 40; kafkajs hands the waiting events over in a few batches.
    expect(commits()).toBeLessThan(10);
  } finally {
    await consumer.stop();
  }
});

test('when a group does not deduplicate, then a repeated event is handled again and no mark is written', async () => {
  const topic = uniqueName('kit-commits-nodedup');
  const groupId = uniqueName('kit-commits-nodedup-group');
  await ensureTopics(fixture.admin, [{ topic, numPartitions: 1 }]);
  const registry = new Registry();
  const handled: string[] = [];
  const consumer = await startConsumer({
    topic,
    groupId,
    kafka: fixture.kafka,
    processedEvents: null,
    registry,
    handle: async (event) => void handled.push(event.id),
  });
  try {
    const event = createEvent('ping', { n: 1 });
    await producer.publish(topic, event, { key: 'k' });
    await producer.publish(topic, event, { key: 'k' });

    await waitFor(() => handled.length === 2, { what: 'both deliveries to be handled' });
    expect(handled).toEqual([event.id, event.id]);
    expect(await fixture.connection.collection('processed_events').countDocuments({ groupId })).toBe(0);
    expect(await metricValue(registry, 'kafka_messages_consumed_total', { topic, outcome: 'processed' })).toBe(2);
    expect(await metricValue(registry, 'kafka_messages_consumed_total', { topic, outcome: 'duplicate' })).toBe(0);
  } finally {
    await consumer.stop();
  }
});

/** A new one-partition topic and a group of its own. */
async function newTopic(name: string): Promise<{ topic: string; groupId: string }> {
  const topic = uniqueName(name);
  await ensureTopics(fixture.admin, [{ topic, numPartitions: 1 }]);
  return { topic, groupId: uniqueName(`${name}-group`) };
}

/** A consumer without marks that records the `n` of each ping it handles. */
async function recordingConsumer(where: { topic: string; groupId: string }, kafka = fixture.kafka) {
  const handled: number[] = [];
  const consumer = await startConsumer({
    ...where,
    kafka,
    processedEvents: null,
    registry: new Registry(),
    handle: async (event) => void handled.push(event.payload.n),
  });
  const publishAndWait = async (n: number) => {
    await producer.publish(where.topic, createEvent('ping', { n }), { key: 'k' });
    await waitFor(() => handled.includes(n), { what: `event ${n} to be handled`, intervalMs: 10 });
  };
  return { consumer, publishAndWait };
}

test('when events arrive one at a time, then offsets are committed on a timer across batches, the last one included', async () => {
  const where = await newTopic('kit-commits-timer');
  const { kafka, commits } = countingCommits(fixture.kafka);
  const { consumer, publishAndWait } = await recordingConsumer(where, kafka);
  try {
    // Each event waits for the one before to be handled: every batch is a single message.
    for (let n = 0; n < 12; n++) await publishAndWait(n);
    // Nothing more arrives: the last batch's offset is committed by the timer, not by a later batch.
    await waitFor(async () => (await committedOffset(fixture.admin, where.groupId, where.topic)) === '12', {
      what: 'the last event to be committed',
    });
    // A commit per batch would be 12.
    expect(commits()).toBeLessThan(12);
  } finally {
    await consumer.stop();
  }
});

test('when a consumer stops right after handling an event, then that event is committed before it leaves', async () => {
  const where = await newTopic('kit-commits-stop');
  const { consumer, publishAndWait } = await recordingConsumer(where);
  await publishAndWait(1);

  await consumer.stop();

  expect(await committedOffset(fixture.admin, where.groupId, where.topic)).toBe('1');
});
