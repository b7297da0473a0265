import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { EventEnvelope } from './envelope';
import { EventHeaders, JSON_CONTENT_TYPE } from './headers';
import { publishedCounter } from './kafka-metrics';

/** Topic name -> payload type, e.g. from @platform/events; lets `publish` check the payload against the topic. */
export type TopicMap = Record<string, unknown>;

export interface PublishOptions {
  /**
   * Required on purpose: the key picks the partition, and only events with the same key are ordered.
   * Use the aggregate's id (order id, product id) so every event of one aggregate is consumed in order.
   */
  key: string;
  /** Extra headers (correlation id, ...). Kept as given, except the kit's own `event-*`/`content-type` names. */
  headers?: Record<string, string>;
}

export interface EventProducer<Topics extends TopicMap = TopicMap> {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Resolves once all in-sync replicas have the event; rejects after kafkajs' retries are exhausted. */
  publish<T extends keyof Topics & string>(
    topic: T,
    event: EventEnvelope<Topics[T]>,
    options: PublishOptions,
  ): Promise<void>;
  /** For the readiness check: true between a successful connect() and disconnect(). */
  isHealthy(): boolean;
}

export interface CreateProducerOptions {
  kafka: Kafka;
  registry: Registry;
}

/**
 * Idempotent: the broker drops a batch it already has, so kafkajs' own retries after a lost acknowledgement
 * cannot duplicate or reorder events. That requires acks=all (kafkajs' default, and what we pass) and retries > 0.
 * One request in flight: Kafka allows up to 5 with idempotence, but kafkajs has had sequence-number bugs with
 * concurrent in-flight requests (tulios/kafkajs#598), and 1 is what its idempotence docs assume.
 * The Java-compatible partitioner (murmur2), so a key lands on the same partition whichever client produced it.
 *
 * Retries stay bounded (the client's settings, about a minute) so a publish fails during an outage instead of
 * hanging the request that made it. kafkajs warns that the caller's own retry is then a new send, outside
 * idempotence: acceptable, because the caller re-publishes the same envelope and consumers deduplicate on its id.
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

export function createProducer<Topics extends TopicMap = TopicMap>({
  kafka,
  registry,
}: CreateProducerOptions): EventProducer<Topics> {
  const published = publishedCounter(registry);
  let connected = false;
  let wanted = false;
  let producer = build();
  // After a failed send the producer is replaced: kafkajs keeps an idempotent producer's id and epoch across a
  // broker restart and can take minutes to publish again; a fresh one asks the broker for a new id at once.
  let replacing: Promise<void> | undefined;

  function build(): Producer {
    const next = createIdempotentProducer(kafka);
    next.on(next.events.CONNECT, function markConnected() {
      connected = true;
    });
    next.on(next.events.DISCONNECT, function markDisconnected() {
      if (next === producer) connected = false;
    });
    return next;
  }

  function replace(): Promise<void> {
    replacing ??= (async () => {
      const old = producer;
      producer = build();
      await old.disconnect().catch(() => undefined);
      if (wanted) await producer.connect();
    })().finally(() => {
      replacing = undefined;
    });
    return replacing;
  }

  return {
    async connect() {
      wanted = true;
      await producer.connect();
    },
    async disconnect() {
      wanted = false;
      await replacing?.catch(() => undefined);
      await producer.disconnect();
    },
    isHealthy: () => connected,
    async publish(topic, event, { key, headers }) {
      await replacing;
      try {
        await producer.send({
          topic,
          acks: -1,
          messages: [{ key, value: JSON.stringify(event), headers: eventHeaders(event, headers) }],
        });
      } catch (err) {
        void replace().catch(() => undefined);
        throw err;
      }
      published.inc({ topic });
    },
  };
}

/**
 * A fresh, mutable object every time: OpenTelemetry's kafkajs instrumentation writes `traceparent` into it
 * during send(). The kit's names come last so they always describe the envelope actually sent.
 */
function eventHeaders(event: EventEnvelope, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    [EventHeaders.id]: event.id,
    [EventHeaders.type]: event.type,
    [EventHeaders.version]: String(event.version),
    [EventHeaders.contentType]: JSON_CONTENT_TYPE,
  };
}
