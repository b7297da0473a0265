import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { requireEnv, uniqueName, waitFor } from '@platform/test-kit';
import {
  createEvent,
  createKafka,
  createProducer,
  deadLetterTopic,
  ensureTopics,
  type EventProducer,
} from '@platform/kit';
import { metricValue, setUpKafkaFixture, startRecorder, type KafkaFixture } from './kafka-fixture';

interface OrderPlaced {
  orderId: string;
  total: number;
}

const topic = uniqueName('kit-orders');

let fixture: KafkaFixture;

beforeAll(async () => {
  fixture = await setUpKafkaFixture('kit-producer');
});

afterAll(async () => {
  await fixture?.close();
});

test('when topics are ensured twice, then each exists once with its partitions and a one-partition DLQ, and the second run creates nothing', async () => {
  const specs = [{ topic, numPartitions: 3 }];

  expect(await ensureTopics(fixture.admin, specs)).toEqual([topic, deadLetterTopic(topic)]);
  expect(await ensureTopics(fixture.admin, specs)).toEqual([]);

  const { topics } = await fixture.admin.fetchTopicMetadata({ topics: [topic, deadLetterTopic(topic)] });
  const partitions = Object.fromEntries(topics.map((entry) => [entry.name, entry.partitions.length]));
  expect(partitions).toEqual({ [topic]: 3, [deadLetterTopic(topic)]: 1 });
});

test('when an event is published, then it arrives keyed, as the JSON envelope, with event headers and the caller headers', async () => {
  const registry = new Registry();
  const producer: EventProducer<{ [topic]: OrderPlaced }> = createProducer({ kafka: fixture.kafka, registry });
  const recorder = await startRecorder(fixture.kafka, [topic]);
  try {
    expect(producer.isConnected()).toBe(false);
    await producer.connect();
    expect(producer.isConnected()).toBe(true);
    const event = createEvent('order.placed', { orderId: 'o-1', total: 42 }, { version: 2 });

    await producer.publish(topic, event, {
      key: 'o-1',
      // A caller's header, and an attempt to spoof a kit header, which the envelope's value overrides.
      headers: { 'x-correlation-id': 'corr-9', 'event-id': 'spoofed' },
    });

    const [received] = await waitFor(() => recorder.messages.length > 0 && recorder.messages);
    expect(received?.key).toBe('o-1');
    expect(JSON.parse(received?.value ?? '')).toEqual(event);
    expect(received?.headers).toEqual({
      'event-id': event.id,
      'event-type': 'order.placed',
      'event-version': '2',
      'content-type': 'application/json',
      'x-correlation-id': 'corr-9',
    });
    expect(event.occurredAt).toBe(new Date(event.occurredAt).toISOString());
    expect(await metricValue(registry, 'kafka_messages_published_total', { topic })).toBe(1);
  } finally {
    await recorder.consumer.disconnect();
    await producer.disconnect();
  }
  expect(producer.isConnected()).toBe(false);
});

test('when kafkajs logs, then the entry goes through the pino logger with its namespace and pino level', async () => {
  const lines: Array<{ level: number; namespace?: string; msg: string; timestamp?: unknown }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const kafka = createKafka({
    clientId: uniqueName('kit-logs'),
    brokers: requireEnv('KAFKA_BROKERS').split(','),
    logger,
  });
  const consumer = kafka.consumer({ groupId: uniqueName('kit-logs'), sessionTimeout: 6_000, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({ eachMessage: async () => undefined });
  try {
    const joined = await waitFor(() => lines.find((line) => line.msg === 'Consumer has joined the group'));
    expect(joined).toMatchObject({ level: 30, namespace: 'ConsumerGroup', component: 'kafkajs' });
    expect(joined.timestamp).toBeUndefined();
  } finally {
    await consumer.disconnect();
  }
});
