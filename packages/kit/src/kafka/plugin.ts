import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { createConsumer, type CreateConsumerOptions, type EventConsumer } from './consumer';
import { createKafka } from './kafka-client';
import { createOutboxRelay, type OutboxRelay } from './outbox';
import { createProcessedEventStore, type ProcessedEventStore } from './processed-events';
import type { TopicHandlers } from './handler';
import { createProducer, type EventProducer, type TopicMap } from './producer';
import { ensureTopics, type TopicSpec } from './topics';

type ConsumerSpec<T extends Record<string, unknown>> = Omit<
  CreateConsumerOptions<T>,
  'kafka' | 'registry' | 'logger' | 'processedEvents'
>;

export interface KafkaContext<Topics extends TopicMap = TopicMap> {
  client: Kafka;
  producer: EventProducer<Topics>;
  /** Creates a consumer wired to the app's logger, metrics and processed-events store; it starts when the app is ready. */
  addConsumer<T extends Record<string, unknown>>(spec: ConsumerSpec<T>): EventConsumer;
  /** Relays the `outbox` of documents in this collection to Kafka, from app start to app close. */
  addOutboxRelay(collectionName: string, options?: { intervalMs?: number }): OutboxRelay;
}

declare module 'fastify' {
  interface FastifyInstance {
    kafka: KafkaContext;
  }
}

export interface KafkaPluginOptions {
  clientId: string;
  brokers: string[];
  /** Topics this service produces or consumes; created (with their `.dlq`) at start-up if missing. */
  topics: TopicSpec[];
  /**
   * Prepended to every topic and consumer group name, invisibly to the service's code: lets tests (and
   * several developers on one shared broker) run side by side without seeing each other's events.
   */
  topicPrefix?: string;
}

/** The producer with logical topic names: `publish('order.created', ...)` goes to `<prefix>order.created`. */
function prefixedProducer(producer: EventProducer, prefix: string): EventProducer {
  if (!prefix) return producer;
  return { ...producer, publish: (topic, event, options) => producer.publish(`${prefix}${topic}`, event, options) };
}

function prefixHandlers<T extends Record<string, unknown>>(
  handlers: TopicHandlers<T>,
  prefix: string,
): TopicHandlers<T> {
  return Object.fromEntries(Object.entries(handlers).map(([topic, h]) => [`${prefix}${topic}`, h])) as TopicHandlers<T>;
}

/**
 * Kafka for a service: topics ensured, an idempotent producer connected before the app is ready, consumers
 * and outbox relays started once it is ready. On close, consumers and relays stop first (their in-flight work
 * finishes and is committed), then the producer flushes and disconnects; the mongo plugin closes after.
 */
async function kafkaPlugin(app: FastifyInstance, options: KafkaPluginOptions): Promise<void> {
  const logger = app.log as unknown as Logger;
  const prefix = options.topicPrefix ?? '';
  const client = createKafka({ clientId: options.clientId, brokers: options.brokers, logger });
  const admin = client.admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      options.topics.map((spec) => ({ ...spec, topic: `${prefix}${spec.topic}` })),
    );
  } finally {
    await admin.disconnect();
  }

  const rawProducer = createProducer({ kafka: client, registry: app.metrics });
  const producer = prefixedProducer(rawProducer, prefix);
  await producer.connect();
  const consumers: EventConsumer[] = [];
  const relays: OutboxRelay[] = [];
  let processedEvents: Promise<ProcessedEventStore> | undefined;

  app.decorate<KafkaContext>('kafka', {
    client,
    producer,
    addConsumer(spec) {
      if (!app.hasDecorator('mongo'))
        throw new Error('consumers deduplicate in MongoDB: register the mongo plugin first');
      processedEvents ??= createProcessedEventStore(app.mongo);
      const store: ProcessedEventStore = {
        isProcessed: async (groupId, eventId) => (await processedEvents!).isProcessed(groupId, eventId),
        markProcessed: async (groupId, eventId, topic) =>
          (await processedEvents!).markProcessed(groupId, eventId, topic),
      };
      const consumer = createConsumer({
        ...spec,
        // Logical names in, prefixed names on the broker: the same isolation the producer and topics get.
        groupId: `${prefix}${spec.groupId}`,
        handlers: prefixHandlers(spec.handlers, prefix),
        kafka: client,
        registry: app.metrics,
        logger,
        processedEvents: store,
      });
      consumers.push(consumer);
      return consumer;
    },
    addOutboxRelay(collectionName, relayOptions = {}) {
      const relay = createOutboxRelay({
        collection: app.mongo.collection(collectionName),
        producer,
        logger: logger.child({ outbox: collectionName }),
        registry: app.metrics,
        ...relayOptions,
      });
      relays.push(relay);
      return relay;
    },
  });

  app.health.register('kafka', async function kafkaReady() {
    if (!producer.isHealthy()) throw new Error('producer not connected');
    const down = consumers.filter((c) => !c.isHealthy()).length;
    if (down > 0) throw new Error(`${down} consumer(s) not running`);
    return true;
  });

  app.addHook('onReady', async function startConsumers() {
    await Promise.all(consumers.map((c) => c.start()));
    relays.forEach((r) => r.start());
  });

  app.addHook('onClose', async function stopKafka() {
    await Promise.all([...consumers.map((c) => c.stop()), ...relays.map((r) => r.stop())]);
    await producer.disconnect();
  });
}

export const kafka = fp(kafkaPlugin, {
  name: 'kit-kafka',
  fastify: '5.x',
  dependencies: ['kit-health', 'kit-metrics'],
});
