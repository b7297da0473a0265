import { Partitioners, type Kafka, type Message, type Producer, type RetryOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { EventEnvelope } from './envelope';
import { EventHeaders, JSON_CONTENT_TYPE } from './headers';
import { needsNewProducer } from './kafka-errors';
import { producerRenewalsCounter, publishedCounter } from './kafka-metrics';

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
  /** Connects now (start-up); publish() connects by itself when needed. */
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Resolves once all in-sync replicas have the event; rejects within seconds when the broker is unreachable. */
  publish<T extends keyof Topics & string>(
    topic: T,
    event: EventEnvelope<Topics[T]>,
    options: PublishOptions,
  ): Promise<void>;
  /** Sends raw messages (the DLQ and its replay); same guarantees as publish. */
  sendMessages(topic: string, messages: Message[]): Promise<void>;
  /** True between a successful connect and a failure or disconnect: for metrics and logs, never for readiness. */
  isConnected(): boolean;
}

export interface CreateProducerOptions {
  /** Preferably a client made for producing (createKafka with PRODUCER_CLUSTER_RETRY), so a send fails quickly. */
  kafka: Kafka;
  registry: Registry;
  logger?: Logger;
  /** kafkajs retries of one send; short by default so a publish fails within seconds during an outage. */
  retry?: RetryOptions;
}

/**
 * A few quick retries (about 1.5 s in all) ride out a leader election; anything longer is an outage, which the
 * caller (the outbox relay, the consumer's dead-letter step) handles with its own backoff instead of blocking here.
 */
const SEND_RETRY: RetryOptions = { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 };

/** A broken producer is replaced at most this often, so a flapping broker does not churn connections. */
const MIN_RENEWAL_INTERVAL_MS = 1_000;

/**
 * Idempotent: the broker drops a batch it already has, so kafkajs' own retries after a lost acknowledgement
 * cannot duplicate or reorder events. That requires acks=all (kafkajs' default, and what we pass) and retries > 0.
 * One request in flight: Kafka allows up to 5 with idempotence, but kafkajs has had sequence-number bugs with
 * concurrent in-flight requests (tulios/kafkajs#598), and 1 is what its idempotence docs assume.
 * The Java-compatible partitioner (murmur2), so a key lands on the same partition whichever client produced it.
 */
export function createIdempotentProducer(kafka: Kafka, retry: RetryOptions = SEND_RETRY): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry,
  });
}

/**
 * The kit's producer. After a failure that a new connection fixes (broker unreachable, restarted, or the
 * idempotence state lost with it) the kafkajs producer is thrown away and the next send starts a fresh one, which
 * connects at once, instead of waiting out the old one's reconnection backoff: after a broker restart publishing
 * resumes within a second or two. Bounded retries mean the caller's own retry is a new send, outside idempotence:
 * acceptable, because the caller re-sends the same envelope and consumers deduplicate on its id.
 */
export function createProducer<Topics extends TopicMap = TopicMap>({
  kafka,
  registry,
  logger,
  retry,
}: CreateProducerOptions): EventProducer<Topics> {
  const published = publishedCounter(registry);
  const renewals = producerRenewalsCounter(registry);
  renewals.inc(0);
  let current: { producer: Producer; connected: Promise<void> } | undefined;
  let connected = false;
  let closed = false;
  let renewedAt = 0;
  /** Sends under way: disconnect() lets them finish (each is bounded by its retries) instead of cutting them off. */
  const sending = new Set<Promise<void>>();

  function open(): { producer: Producer; connected: Promise<void> } {
    const producer = createIdempotentProducer(kafka, retry);
    producer.on(producer.events.DISCONNECT, function markDisconnected() {
      if (current?.producer === producer) connected = false;
    });
    const ready = producer.connect().then(() => {
      if (current?.producer === producer) connected = true;
    });
    // Awaited by whoever sends; this only keeps an unawaited failure from being reported as unhandled.
    ready.catch(() => undefined);
    return { producer, connected: ready };
  }

  function renew(reason: unknown): void {
    if (Date.now() - renewedAt < MIN_RENEWAL_INTERVAL_MS) return;
    renewedAt = Date.now();
    const old = current;
    current = undefined;
    connected = false;
    renewals.inc();
    logger?.warn({ err: reason }, 'Kafka producer failed; the next send uses a new one');
    old?.producer.disconnect().catch(() => undefined);
  }

  async function producerForSend(): Promise<Producer> {
    if (closed) throw new Error('producer is closed');
    current ??= open();
    const { producer, connected: ready } = current;
    try {
      await ready;
    } catch (err) {
      if (current?.producer === producer) renew(err);
      throw err;
    }
    return producer;
  }

  async function sendOnce(topic: string, messages: Message[]): Promise<void> {
    const producer = await producerForSend();
    try {
      await producer.send({ topic, acks: -1, messages });
    } catch (err) {
      if (needsNewProducer(err) && current?.producer === producer) renew(err);
      throw err;
    }
  }

  function send(topic: string, messages: Message[]): Promise<void> {
    const work = sendOnce(topic, messages);
    sending.add(work);
    void work.catch(() => undefined).finally(() => sending.delete(work));
    return work;
  }

  return {
    async connect() {
      await producerForSend();
    },
    async disconnect() {
      closed = true;
      await Promise.allSettled([...sending]);
      connected = false;
      const last = current;
      current = undefined;
      await last?.producer.disconnect();
    },
    isConnected: () => connected,
    async publish(topic, event, { key, headers }) {
      await send(topic, [{ key, value: JSON.stringify(event), headers: eventHeaders(event, headers) }]);
      published.inc({ topic });
    },
    sendMessages: send,
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
