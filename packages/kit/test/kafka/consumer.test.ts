import Joi from 'joi';
import { Partitioners, type Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { uniqueName, waitFor } from '@platform/test-kit';
import {
  createConsumer,
  createEvent,
  createProducer,
  deadLetterTopic,
  ensureTopics,
  type EventConsumer,
  type EventEnvelope,
  PoisonMessageError,
  TransientError,
  type EventProducer,
} from '@platform/kit';
import {
  fastConsumerConfig,
  metricValue,
  setUpKafkaFixture,
  startRecorder,
  type KafkaFixture,
  type ReceivedMessage,
} from './kafka-fixture';

interface StockChanged {
  sku: string;
  quantity: number;
  /** How many times the test handler throws before it succeeds. */
  failTimes?: number;
  /** What it throws: a plain Error (default), a TransientError (infrastructure down) or a PoisonMessageError. */
  failWith?: 'error' | 'transient' | 'poison';
}

const stockChangedSchema = Joi.object<StockChanged>({
  sku: Joi.string().required(),
  quantity: Joi.number().integer().min(0).required(),
  failTimes: Joi.number().integer().min(0),
  failWith: Joi.string().valid('error', 'transient', 'poison'),
});

/** Several types of one aggregate (a "thing"), keyed by its id: `seq` is the order they were published in. */
interface ThingEvent {
  thingId: string;
  seq: number;
}
const thingSchema = Joi.object<ThingEvent>({
  thingId: Joi.string().required(),
  seq: Joi.number().integer().required(),
});

const MAX_ATTEMPTS = 3;
const groupId = uniqueName('kit-consumer-test');
// A topic per scenario: one consumer serves them all (one group join), yet the metrics and DLQs stay separate.
const topics = {
  poison: uniqueName('kit-poison'),
  failing: uniqueName('kit-failing'),
  flaky: uniqueName('kit-flaky'),
  duplicate: uniqueName('kit-duplicate'),
  rejected: uniqueName('kit-rejected'),
  transient: uniqueName('kit-transient'),
};
/** One aggregate's topic, with three partitions like the platform's. */
const thingTopic = uniqueName('kit-things');

/** Each scenario topic carries one type of its own; the things topic carries four, one of them not handled here. */
const stockChangedOn = (topic: string): string => `${topic}.stock-changed`;
const catalogue = {
  ...Object.fromEntries(
    Object.values(topics).map((topic) => [
      stockChangedOn(topic),
      { topic, version: 1, schemas: { 1: stockChangedSchema } },
    ]),
  ),
  'thing.created': { topic: thingTopic, version: 1, schemas: { 1: thingSchema } },
  'thing.renamed': { topic: thingTopic, version: 2, schemas: { 1: thingSchema, 2: thingSchema } },
  'thing.deleted': { topic: thingTopic, version: 1, schemas: { 1: thingSchema } },
  'thing.audited': { topic: thingTopic, version: 1, schemas: { 1: thingSchema } },
};

function stockChanged(topic: string, payload: StockChanged): EventEnvelope<StockChanged> {
  return createEvent(stockChangedOn(topic), payload);
}

const things: EventEnvelope<ThingEvent>[] = [];
async function handleThing(event: EventEnvelope<unknown>): Promise<void> {
  things.push(event as EventEnvelope<ThingEvent>);
}

const attempts = new Map<string, number>();
const handled: EventEnvelope<StockChanged>[] = [];

async function handleStockChanged(event: EventEnvelope<StockChanged>): Promise<void> {
  const calls = (attempts.get(event.id) ?? 0) + 1;
  attempts.set(event.id, calls);
  if (calls <= (event.payload.failTimes ?? 0)) {
    const message = `simulated failure ${calls}`;
    if (event.payload.failWith === 'transient') throw new TransientError(message);
    if (event.payload.failWith === 'poison') throw new PoisonMessageError(message);
    throw new Error(message);
  }
  handled.push(event);
}

let fixture: KafkaFixture;
let registry: Registry;
let producer: EventProducer;
let rawProducer: Producer;
let consumer: EventConsumer;
let recorder: Awaited<ReturnType<typeof startRecorder>>;

beforeAll(async () => {
  fixture = await setUpKafkaFixture('kit-consumer');
  registry = new Registry();
  await ensureTopics(fixture.admin, [
    ...Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })),
    { topic: thingTopic, numPartitions: 3 },
  ]);
  producer = createProducer({ kafka: fixture.kafka, registry });
  await producer.connect();
  rawProducer = fixture.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await rawProducer.connect();
  recorder = await startRecorder(fixture.kafka, [...Object.values(topics), thingTopic].map(deadLetterTopic));
  consumer = createConsumer({
    kafka: fixture.kafka,
    groupId,
    catalogue,
    handlers: {
      ...Object.fromEntries(Object.values(topics).map((topic) => [stockChangedOn(topic), handleStockChanged])),
      'thing.created': handleThing,
      'thing.renamed': handleThing,
      'thing.deleted': handleThing,
    },
    processedEvents: fixture.processedEvents,
    registry,
    logger: fixture.logger,
    maxAttempts: MAX_ATTEMPTS,
    backoff: { initialMs: 20, maxMs: 100 },
    transientBackoff: { initialMs: 50, maxMs: 200 },
    consumerConfig: fastConsumerConfig,
  });
  await consumer.start();
  await waitFor(() => consumer.isRunning(), { what: 'the consumer to join its group' });
});

afterAll(async () => {
  await consumer?.stop();
  await recorder?.consumer.disconnect();
  await producer?.disconnect();
  await rawProducer?.disconnect();
  await fixture?.close();
});

function wasHandled(event: EventEnvelope): boolean {
  return handled.some((candidate) => candidate.id === event.id);
}

/** Handled, then marked processed and counted (the mark and the metric follow the handler). */
async function handledAndMarked(event: EventEnvelope): Promise<boolean> {
  return wasHandled(event) && (await processedCount(event.id)) === 1;
}

function deadLetters(topic: string, count: number): Promise<ReceivedMessage[]> {
  return waitFor(
    function enoughDeadLetters() {
      const messages = recorder.messages.filter((message) => message.topic === deadLetterTopic(topic));
      return messages.length >= count && messages;
    },
    { what: `${count} message(s) on ${deadLetterTopic(topic)}` },
  );
}

function consumed(topic: string, outcome: string): Promise<number> {
  return metricValue(registry, 'kafka_messages_consumed_total', { topic, outcome });
}

function processedCount(eventId: string): Promise<number> {
  return fixture.connection.collection('processed_events').countDocuments({ groupId, eventId });
}

test('when a message is not JSON or fails the schema, then it goes to the DLQ with error headers, unretried, and the next message is handled', async () => {
  const topic = topics.poison;
  const invalid = stockChanged(topic, { sku: 'A-1', quantity: -1 });
  const valid = stockChanged(topic, { sku: 'A-1', quantity: 3 });
  await rawProducer.send({
    topic,
    messages: [
      { key: 'A-1', value: 'not json {' },
      { key: 'A-1', value: JSON.stringify(invalid), headers: { 'x-correlation-id': 'corr-1' } },
    ],
  });
  await producer.publish(topic, valid, { key: 'A-1' });

  await waitFor(() => handledAndMarked(valid), { what: 'the valid event to be handled' });
  const [notJson, schemaInvalid] = await deadLetters(topic, 2);
  expect(notJson).toMatchObject({ key: 'A-1', value: 'not json {' });
  expect(notJson?.headers).toMatchObject({
    'x-error-type': 'invalid',
    'x-error-name': 'InvalidEventError',
    'x-original-topic': topic,
    'x-original-partition': '0',
    'x-original-offset': '0',
    'x-consumer-group': groupId,
    'x-attempts': '0',
  });
  expect(notJson?.headers['x-error-message']).toMatch(/not JSON/);
  expect(schemaInvalid?.value).toBe(JSON.stringify(invalid));
  expect(schemaInvalid?.headers).toMatchObject({ 'x-original-offset': '1', 'x-correlation-id': 'corr-1' });
  expect(schemaInvalid?.headers['x-error-message']).toMatch(/quantity/);
  expect(attempts.has(invalid.id)).toBe(false);
  expect(await consumed(topic, 'invalid')).toBe(2);
  expect(await consumed(topic, 'processed')).toBe(1);
  expect(await metricValue(registry, 'kafka_dlq_messages_total', { topic })).toBe(2);
});

test('when a handler always fails, then it is attempted maxAttempts times, the event goes to the DLQ and the next event is handled', async () => {
  const topic = topics.failing;
  const doomed = stockChanged(topic, { sku: 'B-1', quantity: 1, failTimes: 99 });
  const next = stockChanged(topic, { sku: 'B-1', quantity: 2 });
  await producer.publish(topic, doomed, { key: 'B-1', headers: { 'x-correlation-id': 'corr-2' } });
  await producer.publish(topic, next, { key: 'B-1' });

  await waitFor(() => handledAndMarked(next), { what: 'the event after the failing one to be handled' });
  expect(attempts.get(doomed.id)).toBe(MAX_ATTEMPTS);
  const [deadLetter] = await deadLetters(topic, 1);
  expect(JSON.parse(deadLetter?.value ?? '')).toEqual(doomed);
  expect(deadLetter?.key).toBe('B-1');
  expect(deadLetter?.headers).toMatchObject({
    'x-error-type': 'handler-failed',
    'x-error-name': 'Error',
    'x-error-message': `simulated failure ${MAX_ATTEMPTS}`,
    'x-original-topic': topic,
    'x-original-offset': '0',
    'x-attempts': String(MAX_ATTEMPTS),
    'event-id': doomed.id,
    'x-correlation-id': 'corr-2',
  });
  expect(await processedCount(doomed.id)).toBe(0);
  expect(await processedCount(next.id)).toBe(1);
  expect(await consumed(topic, 'retried')).toBe(MAX_ATTEMPTS - 1);
  expect(await consumed(topic, 'dead_lettered')).toBe(1);
  expect(await consumed(topic, 'processed')).toBe(1);
  expect(await metricValue(registry, 'kafka_dlq_messages_total', { topic })).toBe(1);
});

test('when a handler fails twice and then succeeds, then the event is processed once and nothing is dead-lettered', async () => {
  const topic = topics.flaky;
  const flaky = stockChanged(topic, { sku: 'C-1', quantity: 5, failTimes: 2 });
  await producer.publish(topic, flaky, { key: 'C-1' });

  await waitFor(() => handledAndMarked(flaky), { what: 'the flaky event to be handled' });
  expect(attempts.get(flaky.id)).toBe(3);
  expect(handled.filter((event) => event.id === flaky.id)).toHaveLength(1);
  expect(await processedCount(flaky.id)).toBe(1);
  const [dlqOffsets] = await fixture.admin.fetchTopicOffsets(deadLetterTopic(topic));
  expect(dlqOffsets?.high).toBe('0');
  expect(await consumed(topic, 'retried')).toBe(2);
  expect(await consumed(topic, 'processed')).toBe(1);
  expect(await consumed(topic, 'dead_lettered')).toBe(0);
});

test('when the same event is delivered twice, then it is handled once and recorded in processed_events', async () => {
  const topic = topics.duplicate;
  const event = stockChanged(topic, { sku: 'D-1', quantity: 7 });
  const after = stockChanged(topic, { sku: 'D-1', quantity: 8 });
  await producer.publish(topic, event, { key: 'D-1' });
  await producer.publish(topic, event, { key: 'D-1' });
  await producer.publish(topic, after, { key: 'D-1' });

  await waitFor(() => handledAndMarked(after), { what: 'the event after the duplicate to be handled' });
  expect(handled.filter((candidate) => candidate.id === event.id)).toHaveLength(1);
  expect(attempts.get(event.id)).toBe(1);
  expect(await processedCount(event.id)).toBe(1);
  expect(await consumed(topic, 'duplicate')).toBe(1);
  expect(await consumed(topic, 'processed')).toBe(2);
  expect(await metricValue(registry, 'kafka_consumer_lag', { topic, partition: '0' })).toBe(0);
});

test('when a handler calls the event poison, then it goes to the DLQ at once, after one attempt, and the next event is handled', async () => {
  const topic = topics.rejected;
  const poison = stockChanged(topic, { sku: 'E-1', quantity: 1, failTimes: 99, failWith: 'poison' });
  const next = stockChanged(topic, { sku: 'E-1', quantity: 2 });
  await producer.publish(topic, poison, { key: 'E-1' });
  await producer.publish(topic, next, { key: 'E-1' });

  await waitFor(() => handledAndMarked(next), { what: 'the event after the poison one to be handled' });
  expect(attempts.get(poison.id)).toBe(1);
  const [deadLetter] = await deadLetters(topic, 1);
  expect(deadLetter?.headers).toMatchObject({
    'x-error-type': 'rejected',
    'x-error-name': 'PoisonMessageError',
    'x-error-message': 'simulated failure 1',
    'x-attempts': '1',
  });
  expect(await consumed(topic, 'retried')).toBe(0);
  expect(await consumed(topic, 'dead_lettered')).toBe(1);
});

test('when a handler fails with a transient error, then the partition is held and the event retried until it succeeds, more often than maxAttempts, and never dead-lettered', async () => {
  const topic = topics.transient;
  const failTimes = MAX_ATTEMPTS + 3;
  const event = stockChanged(topic, { sku: 'F-1', quantity: 1, failTimes, failWith: 'transient' });
  const after = stockChanged(topic, { sku: 'F-1', quantity: 2 });
  await producer.publish(topic, event, { key: 'F-1' });
  await producer.publish(topic, after, { key: 'F-1' });

  await waitFor(() => handledAndMarked(after), { what: 'both events, in order', timeoutMs: 30_000 });
  expect(attempts.get(event.id)).toBe(failTimes + 1);
  expect(handled.findIndex((e) => e.id === event.id)).toBeLessThan(handled.findIndex((e) => e.id === after.id));
  const [dlqOffsets] = await fixture.admin.fetchTopicOffsets(deadLetterTopic(topic));
  expect(dlqOffsets?.high).toBe('0');
  expect(await consumed(topic, 'retried')).toBe(failTimes);
  expect(await consumed(topic, 'processed')).toBe(2);
});

test("when several types of one aggregate are published on its topic, then each aggregate's events are handled in publish order, whatever their type", async () => {
  const ids = ['T-1', 'T-2', 'T-3', 'T-4', 'T-5', 'T-6'];
  const types = ['thing.created', 'thing.renamed', 'thing.renamed', 'thing.deleted'];
  const published: EventEnvelope<ThingEvent>[] = [];
  for (const [seq, type] of types.entries()) {
    for (const thingId of ids) {
      const event = createEvent(type, { thingId, seq }, { version: type === 'thing.renamed' ? 2 : 1 });
      await producer.publish(thingTopic, event, { key: thingId });
      published.push(event);
    }
  }

  await waitFor(() => published.every((event) => things.some((seen) => seen.id === event.id)), {
    what: 'every thing event to be handled',
  });
  for (const thingId of ids) {
    const seen = things.filter((event) => event.payload.thingId === thingId);
    expect(seen.map((event) => [event.type, event.payload.seq])).toEqual(types.map((type, seq) => [type, seq]));
  }
});

test('when a topic carries a type this group does not handle, then it is skipped: acknowledged, counted, not marked and not dead-lettered', async () => {
  const audited = createEvent('thing.audited', { thingId: 'S-1', seq: 0 });
  const auditedV9 = createEvent('thing.audited', { thingId: 'S-1', seq: 1 }, { version: 9 });
  const after = createEvent('thing.created', { thingId: 'S-1', seq: 2 });
  for (const event of [audited, auditedV9, after]) await producer.publish(thingTopic, event, { key: 'S-1' });

  await waitFor(() => things.some((event) => event.id === after.id) && processedCount(after.id).then((n) => n === 1), {
    what: 'the event after the skipped ones to be handled',
  });
  expect(things.some((event) => event.id === audited.id || event.id === auditedV9.id)).toBe(false);
  expect(await processedCount(audited.id)).toBe(0);
  expect(await consumed(thingTopic, 'skipped')).toBe(2);
  expect(recorder.messages.filter((message) => message.topic === deadLetterTopic(thingTopic))).toEqual([]);
});

test('when an event has a type the catalogue does not know, or a version of its type it does not accept, then it is poison: dead-lettered at once', async () => {
  const unknownType = createEvent('thing.exploded', { thingId: 'U-1', seq: 0 });
  const unknownVersion = createEvent('thing.created', { thingId: 'U-1', seq: 1 }, { version: 2 });
  const after = createEvent('thing.deleted', { thingId: 'U-1', seq: 2 });
  for (const event of [unknownType, unknownVersion, after]) await producer.publish(thingTopic, event, { key: 'U-1' });

  await waitFor(() => things.some((event) => event.id === after.id), { what: 'the event after the poison ones' });
  const letters = await deadLetters(thingTopic, 2);
  expect(letters.map((letter) => letter.headers['x-error-type'])).toEqual(['invalid', 'invalid']);
  expect(letters[0]?.headers['x-error-message']).toMatch(/unknown event type "thing.exploded"/);
  expect(letters[1]?.headers['x-error-message']).toMatch(/unknown version 2 of thing.created/);
  expect(await consumed(thingTopic, 'invalid')).toBe(2);
});
