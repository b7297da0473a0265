import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import { eventCatalogue, type EventPayloads, type EventType } from '@platform/events';
import { catalogueEvent, CLUSTER_RETRY, type EventEnvelope } from '@platform/kit';
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

/** The distinct topics that carry these event types. */
function topicsOf(types: EventType[]): string[] {
  return [...new Set(types.map((type) => eventCatalogue[type].topic))];
}

/** Reads the topics of the given event types (under the test's prefix) from the beginning and keeps every event. */
export interface EventRecorder {
  events<T extends EventType>(type: T): Array<RecordedEvent<EventPayloads[T]>>;
  /** Events of that type for one order. */
  forOrder<T extends EventType>(type: T, orderId: string): Array<RecordedEvent<EventPayloads[T]>>;
  close(): Promise<void>;
}

export async function startEventRecorder(
  prefix: string,
  types: EventType[],
  brokers = requireEnv('KAFKA_BROKERS'),
): Promise<EventRecorder> {
  const received = new Map<string, RecordedEvent[]>();
  const consumer: Consumer = testKafka(brokers).consumer({ ...fastConsumerConfig, groupId: uniqueName('recorder') });
  await consumer.connect();
  await consumer.subscribe({ topics: topicsOf(types).map((topic) => `${prefix}${topic}`), fromBeginning: true });
  await consumer.run({
    eachMessage: async function recordEvent({ message }) {
      const event = JSON.parse(message.value?.toString() ?? 'null') as EventEnvelope;
      received.set(event.type, [...(received.get(event.type) ?? []), { key: message.key?.toString() ?? null, event }]);
    },
  });
  const events = <T extends EventType>(type: T) => (received.get(type) ?? []) as Array<RecordedEvent<EventPayloads[T]>>;
  return {
    events,
    forOrder: (type, orderId) =>
      events(type).filter(({ event }) => (event.payload as { orderId: string }).orderId === orderId),
    close: () => consumer.disconnect(),
  };
}

/** Publishes events as another service would: enveloped, keyed by order id, to the prefixed topic of their type. */
export interface EventPublisher {
  publish<T extends EventType>(type: T, payload: EventPayloads[T]): Promise<EventEnvelope<EventPayloads[T]>>;
  /** Sends an envelope again as it is: a redelivery. */
  republish<T extends EventType>(type: T, event: EventEnvelope<EventPayloads[T]>): Promise<void>;
  close(): Promise<void>;
}

export async function startEventPublisher(prefix: string): Promise<EventPublisher> {
  const producer: Producer = testKafka(requireEnv('KAFKA_BROKERS')).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  async function send(type: EventType, event: EventEnvelope): Promise<void> {
    const key = (event.payload as { orderId: string }).orderId;
    const topic = `${prefix}${eventCatalogue[type].topic}`;
    await producer.send({ topic, messages: [{ key, value: JSON.stringify(event) }] });
  }
  return {
    async publish(type, payload) {
      const { event } = catalogueEvent(eventCatalogue, type, payload);
      await send(type, event);
      return event as EventEnvelope<EventPayloads[typeof type]>;
    },
    republish: (type, event) => send(type, event),
    close: () => producer.disconnect(),
  };
}
