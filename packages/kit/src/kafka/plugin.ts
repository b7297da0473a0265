import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { addPeriodicTask } from '../periodic-task';
import { createConsumer, type CreateConsumerOptions, type EventConsumer } from './consumer';
import { createKafka, PRODUCER_CLUSTER_RETRY } from './kafka-client';
import { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
import { createProcessedEventStore, type MongoProcessedEventStore } from './processed-events';
import type { EventCatalogue } from './catalogue';
import { createProducer, type EventProducer, type TopicMap } from './producer';
import { ensureTopics, type TopicSpec } from './topics';

type ConsumerSpec<C extends EventCatalogue> = Omit<
  CreateConsumerOptions<C>,
  'kafka' | 'registry' | 'logger' | 'processedEvents' | 'topicPrefix'
> & {
  /**
   * Skip events the group handled already (marks in the app's MongoDB, pruned by age). Default true; false only for
   * handlers idempotent by nature and cheap to repeat, which then need no database (see CreateConsumerOptions).
   */
  deduplicate?: boolean;
};

export type RelayOptions = Pick<
  OutboxRelayOptions,
  'sweepIntervalMs' | 'leaseMs' | 'maxAttempts' | 'backoff' | 'batchSize' | 'concurrency'
>;

export interface KafkaContext<Topics extends TopicMap = TopicMap> {
  client: Kafka;
  producer: EventProducer<Topics>;
  /** Creates a consumer wired to the app's logger, metrics and processed-events store; it starts when the app is ready. */
  addConsumer<C extends EventCatalogue>(spec: ConsumerSpec<C>): EventConsumer;
  /**
   * The relay of one aggregate collection's outbox, from app start to app close. Its data-access code stamps each
   * write that adds entries (`relay.stamp()`) and calls `relay.publishAfterWrite(...)` once the write is stored.
   */
  addOutboxRelay(collectionName: string, options?: RelayOptions): OutboxRelay;
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
  /** Defaults for every relay of this app. */
  outbox?: RelayOptions;
  /** How long processed-event marks are kept (longer than any redelivery: the topics' retention). Default 7 days. */
  processedEventRetentionMs?: number;
  /** How often old marks are pruned. Default 1 hour. */
  pruneIntervalMs?: number;
}

/**
 * How long start-up waits for the broker (topics, producer connection) before going on without it. Well under
 * Fastify's plugin timeout (10 s): a broker that is slow rather than down (busy, restarting) must not fail the start
 * of a service that does not need it to serve HTTP.
 */
const START_WAIT_MS = 4_000;

/** Whether `work` settles within `ms`; it goes on either way. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([
    work.then(
      () => true as const,
      () => true as const,
    ),
    timeout,
  ]);
  clearTimeout(timer);
  return settled;
}

/** The producer with logical topic names: `publish('orders.v1', ...)` goes to `<prefix>orders.v1`. */
function prefixedProducer(producer: EventProducer, prefix: string): EventProducer {
  if (!prefix) return producer;
  return {
    ...producer,
    publish: (topic, event, options) => producer.publish(`${prefix}${topic}`, event, options),
    sendMessages: (topic, messages) => producer.sendMessages(`${prefix}${topic}`, messages),
  };
}

/**
 * Kafka for a service: topics ensured, an idempotent producer, consumers and outbox relays started once the app is
 * ready. Nothing here makes the app unready: serving HTTP does not need the broker (writes wait in the outbox), so
 * an unreachable broker at start-up is logged and retried in the background. On close, consumers and relays stop
 * first, then the producer disconnects; the mongo plugin closes after. A consumer finishes the message in hand and
 * commits what it handled (a message waiting between handler retries is left for redelivery). A relay stops its
 * sweep and waits up to 5 s for the publishes in progress; whatever has not been acknowledged by then stays in the
 * document's outbox, leased to this process, and a sweep (another replica's, or this one's after the restart)
 * publishes it once the lease runs out (`leaseMs`, 30 s by default). Nothing is lost; some events go out late.
 */
async function kafkaPlugin(app: FastifyInstance, options: KafkaPluginOptions): Promise<void> {
  const logger = app.log as unknown as Logger;
  const prefix = options.topicPrefix ?? '';
  const client = createKafka({ clientId: options.clientId, brokers: options.brokers, logger });
  const topics = options.topics.map((spec) => ({ ...spec, topic: `${prefix}${spec.topic}` }));

  // One attempt at a time; the first is waited for at most START_WAIT_MS, then goes on in the background.
  let topicsReady = false;
  let ensuring: Promise<void> | undefined;
  const ensureTopicsOnce = (): Promise<void> =>
    (ensuring ??= tryEnsureTopics(client, topics, logger).then((ok) => {
      topicsReady = ok;
      ensuring = undefined;
    }));
  if (!(await settlesWithin(ensureTopicsOnce(), START_WAIT_MS)) || !topicsReady) {
    addPeriodicTask(app, {
      name: 'kafka-topics',
      intervalMs: 5_000,
      async run() {
        if (!topicsReady) await ensureTopicsOnce();
      },
    });
  }

  // A client of its own for producing, with quick reconnection: see PRODUCER_CLUSTER_RETRY.
  const producerClient = createKafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logger,
    config: { retry: PRODUCER_CLUSTER_RETRY },
  });
  const rawProducer = createProducer({ kafka: producerClient, registry: app.metrics, logger });
  const producer = prefixedProducer(rawProducer, prefix);
  const connecting = producer.connect().catch((err: unknown) => {
    logger.warn({ err }, 'Kafka producer could not connect at start; publishing connects when the broker is back');
  });
  // Publishing waits for the same connection, so a slow broker need not hold the start-up.
  if (!(await settlesWithin(connecting, START_WAIT_MS))) {
    logger.warn({ waitedMs: START_WAIT_MS }, 'Kafka producer still connecting; start-up goes on without waiting');
  }
  const consumers: EventConsumer[] = [];
  const relays: OutboxRelay[] = [];
  let processedEvents: MongoProcessedEventStore | undefined;

  function processedEventStore(): MongoProcessedEventStore {
    if (processedEvents) return processedEvents;
    if (!app.hasDecorator('mongo'))
      throw new Error('consumers deduplicate in MongoDB: register the mongo plugin first');
    const store = createProcessedEventStore(app.mongo);
    const retentionMs = options.processedEventRetentionMs ?? 7 * 24 * 3_600_000;
    addPeriodicTask(app, {
      name: 'processed-events-prune',
      intervalMs: options.pruneIntervalMs ?? 3_600_000,
      async run() {
        const pruned = await store.prune(new Date(Date.now() - retentionMs));
        if (pruned > 0) app.log.info({ pruned }, 'old processed-event marks pruned');
      },
    });
    return (processedEvents = store);
  }

  app.decorate<KafkaContext>('kafka', {
    client,
    producer,
    addConsumer({ deduplicate = true, ...spec }) {
      const consumer = createConsumer({
        ...spec,
        // Logical names in, prefixed names on the broker: the same isolation the producer and topics get.
        groupId: `${prefix}${spec.groupId}`,
        topicPrefix: prefix,
        kafka: client,
        registry: app.metrics,
        logger,
        processedEvents: deduplicate ? processedEventStore() : null,
        // Dead letters go to `<prefixed topic>.dlq`, already a full name: the unprefixed producer.
        deadLetterProducer: rawProducer,
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
        ...options.outbox,
        ...relayOptions,
      });
      relays.push(relay);
      return relay;
    },
  });

  // kafkajs restarts a consumer after a retriable crash (an unreachable broker, a batch that kept throwing) by
  // itself; only a crash it will not restart from leaves the consumer down until the process restarts, so only
  // that fails the liveness check (see consumer-health.ts).
  app.health.registerLiveness('kafka-consumers', async function consumersAlive() {
    const dead = consumers.filter((c) => !c.isAlive()).length;
    if (dead > 0) throw new Error(`${dead} Kafka consumer(s) stopped for good`);
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

/** Creates missing topics; false (logged) when the broker cannot be reached, so start-up goes on without it. */
async function tryEnsureTopics(client: Kafka, topics: TopicSpec[], logger: Logger): Promise<boolean> {
  const admin = client.admin({ retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 } });
  try {
    await admin.connect();
    await ensureTopics(admin, topics);
    return true;
  } catch (err) {
    logger.warn({ err }, 'could not ensure Kafka topics; retrying in the background');
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export const kafka = fp(kafkaPlugin, {
  name: 'kit-kafka',
  fastify: '5.x',
  dependencies: ['kit-health', 'kit-metrics'],
});
