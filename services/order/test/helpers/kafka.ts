import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import type { EventTopics } from '@platform/events';
import { CLUSTER_RETRY, createEvent, type EventEnvelope } from '@platform/kit';
import { requireEnv, uniqueName } from '@platform/test-kit';

/** The kit's client settings (quick reconnection), so a recorder is back within seconds of a broker restart. */
function testKafka(brokers: string): Kafka {
  return new Kafka({
    clientId: uniqueName('order-test'),
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: CLUSTER_RETRY,
  });
}

/** Short timeouts so joining and leaving a group takes a second or two. */
const fastConsumerConfig = {
  sessionTimeout: 6_000,
  heartbeatInterval: 500,
  rebalanceTimeout: 3_000,
  maxWaitTimeInMs: 100,
};

export interface RecordedEvent<T = unknown> {
  key: string | null;
  event: EventEnvelope<T>;
}

/** Reads the service's output topics (under the test's prefix) from the beginning and keeps every event. */
export interface EventRecorder {
  events<T extends keyof EventTopics>(topic: T): Array<RecordedEvent<EventTopics[T]>>;
  /** Events of that topic for one order. */
  forOrder<T extends keyof EventTopics>(topic: T, orderId: string): Array<RecordedEvent<EventTopics[T]>>;
  close(): Promise<void>;
}

export async function startEventRecorder(
  prefix: string,
  topics: Array<keyof EventTopics>,
  brokers = requireEnv('KAFKA_BROKERS'),
): Promise<EventRecorder> {
  const received = new Map<string, RecordedEvent[]>();
  const consumer: Consumer = testKafka(brokers).consumer({ ...fastConsumerConfig, groupId: uniqueName('recorder') });
  await consumer.connect();
  await consumer.subscribe({ topics: topics.map((topic) => `${prefix}${topic}`), fromBeginning: true });
  await consumer.run({
    eachMessage: async function recordEvent({ topic, message }) {
      const logical = topic.slice(prefix.length);
      const event = JSON.parse(message.value?.toString() ?? 'null') as EventEnvelope;
      received.set(logical, [...(received.get(logical) ?? []), { key: message.key?.toString() ?? null, event }]);
    },
  });
  const events = <T extends keyof EventTopics>(topic: T) =>
    (received.get(topic) ?? []) as Array<RecordedEvent<EventTopics[T]>>;
  return {
    events,
    forOrder: (topic, orderId) =>
      events(topic).filter(({ event }) => (event.payload as { orderId: string }).orderId === orderId),
    close: () => consumer.disconnect(),
  };
}

/** Publishes events as another service would: enveloped, keyed by order id, to the prefixed topic. */
export interface EventPublisher {
  publish<T extends keyof EventTopics>(topic: T, payload: EventTopics[T]): Promise<EventEnvelope<EventTopics[T]>>;
  /** Sends an envelope again as it is: a redelivery. */
  republish<T extends keyof EventTopics>(topic: T, event: EventEnvelope<EventTopics[T]>): Promise<void>;
  close(): Promise<void>;
}

export async function startEventPublisher(prefix: string): Promise<EventPublisher> {
  const producer: Producer = testKafka(requireEnv('KAFKA_BROKERS')).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  async function send(topic: string, event: EventEnvelope): Promise<void> {
    const key = (event.payload as { orderId: string }).orderId;
    await producer.send({ topic: `${prefix}${topic}`, messages: [{ key, value: JSON.stringify(event) }] });
  }
  return {
    async publish(topic, payload) {
      const event = createEvent(topic, payload);
      await send(topic, event);
      return event;
    },
    republish: (topic, event) => send(topic, event),
    close: () => producer.disconnect(),
  };
}
