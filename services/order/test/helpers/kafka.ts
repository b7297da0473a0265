import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { eventCatalogue, type EventPayloads, type EventType } from '@platform/events';
import { catalogueEvent, CLUSTER_RETRY, type EventEnvelope } from '@platform/kit';
import { committedOffset, recordTopics, requireEnv, uniqueName } from '@platform/test-kit';

/** The kit's client settings (quick reconnection): back within seconds of a broker restart. */
function testKafka(brokers: string): Kafka {
  return new Kafka({
    clientId: uniqueName('order-test'),
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: CLUSTER_RETRY,
  });
}

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
  const topics = topicsOf(types).map((topic) => `${prefix}${topic}`);
  const recorder = await recordTopics(topics, { brokers, retry: CLUSTER_RETRY });
  const events = <T extends EventType>(type: T) =>
    recorder.events
      .filter(({ envelope }) => envelope.type === type)
      .map(({ key, envelope }) => ({ key, event: envelope as unknown as EventEnvelope<EventPayloads[T]> }));
  return {
    events,
    forOrder: (type, orderId) =>
      events(type).filter(({ event }) => (event.payload as { orderId: string }).orderId === orderId),
    close: () => recorder.stop(),
  };
}

/** Publishes events as another service would: enveloped, keyed by order id, to the prefixed topic of their type. */
export interface EventPublisher {
  publish<T extends EventType>(type: T, payload: EventPayloads[T]): Promise<EventEnvelope<EventPayloads[T]>>;
  /** Sends an envelope again as it is: a redelivery. */
  republish<T extends EventType>(type: T, event: EventEnvelope<EventPayloads[T]>): Promise<void>;
  /**
   * True once the consumer group (its logical name: the prefix is added) has committed past the last message that
   * carried this event: the kit commits only what it handled, so the handler has run.
   */
  consumedBy(groupId: string, event: EventEnvelope): Promise<boolean>;
  close(): Promise<void>;
}

export async function startEventPublisher(prefix: string): Promise<EventPublisher> {
  const kafka = testKafka(requireEnv('KAFKA_BROKERS'));
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  /** Where each event was last sent. */
  const positions = new Map<string, { topic: string; partition: number; offset: bigint }>();
  async function send(type: EventType, event: EventEnvelope): Promise<void> {
    const key = (event.payload as { orderId: string }).orderId;
    const topic = `${prefix}${eventCatalogue[type].topic}`;
    const [sent] = await producer.send({ topic, messages: [{ key, value: JSON.stringify(event) }] });
    positions.set(event.id, { topic, partition: sent!.partition, offset: BigInt(sent!.baseOffset!) });
  }
  return {
    async publish(type, payload) {
      const { event } = catalogueEvent(eventCatalogue, type, payload);
      await send(type, event);
      return event as EventEnvelope<EventPayloads[typeof type]>;
    },
    republish: (type, event) => send(type, event),
    async consumedBy(groupId, event) {
      const position = positions.get(event.id);
      if (!position) throw new Error(`event ${event.id} was not sent by this publisher`);
      const offset = await committedOffset(admin, `${prefix}${groupId}`, position.topic, position.partition);
      return offset !== undefined && BigInt(offset) > position.offset;
    },
    async close() {
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    },
  };
}
