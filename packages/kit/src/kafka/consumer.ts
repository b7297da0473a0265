import type { ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { trackHealth } from './consumer-health';
import { envelopeSchema } from './envelope';
import type { TopicHandler, TopicHandlers } from './handler';
import { consumerMetrics, type ConsumerMetrics } from './kafka-metrics';
import { processMessage, type CompiledHandler, type ProcessContext } from './process-message';
import type { ProcessedEventStore } from './processed-events';
import { createProducer, type EventProducer } from './producer';
import type { BackoffOptions } from './retry';
import { withConsumerSpan } from './trace-context';

export interface CreateConsumerOptions<Topics extends Record<string, unknown>> {
  kafka: Kafka;
  groupId: string;
  handlers: TopicHandlers<Topics>;
  processedEvents: ProcessedEventStore;
  registry: Registry;
  logger: Logger;
  /** Handler attempts per message before it is dead-lettered, the first included. Default 5. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /**
   * Where a group with no committed offset starts. Default true: a service deployed after events were already
   * published (or whose group was deleted) must still see them; deduplication makes re-reading harmless.
   */
  fromBeginning?: boolean;
  /** Sends dead letters; by default one of the consumer's own (the kafka plugin passes the app's). */
  deadLetterProducer?: EventProducer;
  /** kafkajs consumer settings (tests shorten sessionTimeout, heartbeatInterval, rebalanceTimeout). */
  consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
}

export interface EventConsumer {
  /** Connects, subscribes and starts consuming; resolves before the group is joined (see isHealthy). */
  start(): Promise<void>;
  /** Lets the in-flight message finish (its offset is committed), leaves the group and disconnects. */
  stop(): Promise<void>;
  /** For health checks: running, joined to its group, and not crashed beyond kafkajs' own restarts. */
  isHealthy(): boolean;
}

export function createConsumer<Topics extends Record<string, unknown>>(
  options: CreateConsumerOptions<Topics>,
): EventConsumer {
  const { kafka, groupId, logger } = options;
  const handlers = compileHandlers(options.handlers);
  const topics = [...handlers.keys()];
  if (topics.length === 0) throw new Error(`consumer group ${groupId} has no handlers`);

  const consumer = kafka.consumer({ ...options.consumerConfig, groupId, allowAutoTopicCreation: false });
  const ownsDeadLetterProducer = options.deadLetterProducer === undefined;
  const deadLetterProducer =
    options.deadLetterProducer ?? createProducer({ kafka, registry: options.registry, logger });
  const metrics = consumerMetrics(options.registry);
  // Series start at zero, not at the first dead letter: increase() and the DLQ alert then count that first one too.
  for (const topic of topics) metrics.deadLettered.inc({ topic }, 0);
  const health = trackHealth(consumer, logger.child({ groupId }));

  async function consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale, heartbeat, resolveOffset, commitOffsetsIfNecessary } = payload;
    const { topic, partition } = batch;
    const ctx: ProcessContext = {
      groupId,
      topic,
      partition,
      handler: handlerFor(handlers, topic),
      processedEvents: options.processedEvents,
      deadLetterProducer,
      metrics,
      logger: logger.child({ groupId, topic, partition }),
      maxAttempts: options.maxAttempts ?? 5,
      backoff: options.backoff ?? {},
      heartbeat,
      shouldContinue: () => isRunning() && !isStale(),
    };
    for (const message of batch.messages) {
      // Checked before each message, not only per batch: stop() waits for this loop, so it returns promptly.
      if (!ctx.shouldContinue()) break;
      const result = await withConsumerSpan(message, { topic, partition, groupId }, () => processMessage(message, ctx));
      if (result === 'interrupted') break;
      // Commit each message as soon as it is done: a crash then redelivers at most the message in flight.
      const next = (BigInt(message.offset) + 1n).toString();
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
      recordLag(metrics, batch.highWatermark, topic, partition, next);
      await heartbeat();
    }
  }

  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
      // No auto-commit and no auto-resolve: only consumeBatch decides what is done, one message at a time.
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: consumeBatch });
      health.setRunning(true);
    },
    async stop() {
      health.setRunning(false);
      // disconnect() stops fetching and waits for consumeBatch to return before leaving the group.
      await consumer.disconnect();
      if (ownsDeadLetterProducer) await deadLetterProducer.disconnect();
    },
    isHealthy: () => health.isHealthy(),
  };
}

function compileHandlers<Topics extends Record<string, unknown>>(
  handlers: TopicHandlers<Topics>,
): Map<string, CompiledHandler> {
  const compiled = new Map<string, CompiledHandler>();
  for (const [topic, handler] of Object.entries(handlers) as Array<[string, TopicHandler<unknown>]>) {
    // Compiled once here, not per message. The handler only ever receives what its own schema accepted,
    // which is what makes widening its payload type to unknown (the cast above) safe.
    compiled.set(topic, { schema: envelopeSchema(handler.schema), handle: handler.handle.bind(handler) });
  }
  return compiled;
}

function handlerFor(handlers: Map<string, CompiledHandler>, topic: string): CompiledHandler {
  const handler = handlers.get(topic);
  // Unreachable: we subscribe to exactly the handlers' topics.
  if (!handler) throw new Error(`no handler for topic ${topic}`);
  return handler;
}

/** Messages after the one just finished: the partition's high watermark is the offset of the next message written. */
function recordLag(metrics: ConsumerMetrics, highWatermark: string, topic: string, partition: number, next: string) {
  const lag = BigInt(highWatermark) - BigInt(next);
  metrics.lag.set({ topic, partition: String(partition) }, Number(lag > 0n ? lag : 0n));
}
