import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { trackHealth } from './consumer-health';
import type { EventCatalogue, EventHandler, EventHandlers } from './catalogue';
import type { CompiledTopic } from './decode-event';
import { envelopeSchema } from './envelope';
import { isBrokerUnavailable } from './kafka-errors';
import { consumerMetrics, type ConsumerMetrics } from './kafka-metrics';
import { processMessage, type ProcessContext } from './process-message';
import type { ProcessedEventStore } from './processed-events';
import { createProducer, type EventProducer } from './producer';
import { backoffDelay, type BackoffOptions } from './retry';
import { withConsumerSpan } from './trace-context';

export interface CreateConsumerOptions<C extends EventCatalogue> {
  kafka: Kafka;
  groupId: string;
  /** Every event type there is: which topic carries it and the schema of each version. */
  catalogue: C;
  /**
   * Event type -> handler. The group subscribes to the topics of these types; the other types of those topics are
   * skipped (acknowledged, counted as `skipped`); a type or version the catalogue does not know is dead-lettered.
   */
  handlers: EventHandlers<C>;
  /** Prepended to the catalogue's topic names (see the kafka plugin's topicPrefix). */
  topicPrefix?: string;
  /**
   * Skips events this group handled already. Null for a group whose handlers are idempotent by nature and cheap
   * (the gateway's fan-out): a mark costs a lookup and an insert per event, more than a repeat would.
   */
  processedEvents: ProcessedEventStore | null;
  registry: Registry;
  logger: Logger;
  /** Handler attempts per message before it is dead-lettered, the first included (not for transient failures). Default 5. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** How long a partition is held after a transient failure: 250 ms doubling up to 5 s by default. */
  transientBackoff?: BackoffOptions;
  /**
   * Where a group with no committed offset starts. Default true: a service deployed after events were already
   * published (or whose group was deleted) must still see them; deduplication makes re-reading harmless.
   */
  fromBeginning?: boolean;
  /** Partitions handled at the same time (each still in order). Default 3, the platform's partitions per topic. */
  partitionsConsumedConcurrently?: number;
  /** Sends dead letters; by default one of the consumer's own (the kafka plugin passes the app's). */
  deadLetterProducer?: EventProducer;
  /** kafkajs consumer settings (tests shorten sessionTimeout, heartbeatInterval, rebalanceTimeout). */
  consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
}

export interface EventConsumer {
  /**
   * Connects, subscribes and starts consuming. Resolves after the first attempt: when the broker cannot be reached,
   * the consumer keeps trying in the background (see isRunning) rather than failing the app's start.
   */
  start(): Promise<void>;
  /**
   * Lets the message in hand finish (what the batch handled is committed; a message waiting between handler retries
   * is interrupted and redelivered later), leaves the group and disconnects.
   */
  stop(): Promise<void>;
  /** Started and joined to its group: for metrics and tests. Not a readiness signal. */
  isRunning(): boolean;
  /** False once the consumer has stopped for good (a crash kafkajs does not restart): for the liveness probe. */
  isAlive(): boolean;
}

/**
 * kafkajs' defaults (30 s session, 60 s rebalance) make a group wait half a minute after a broker restart: the
 * members from before it are still in the group the broker reloaded (a consumer that kafkajs restarted after the
 * outage joins as a new member), and the coordinator waits for the old ones to rejoin or time out before the new
 * ones may join. The session timeout bounds that wait, so it is the broker's minimum
 * (`group.min.session.timeout.ms`, 6 s): the saga bench saw both services' consumers join exactly 10 s after the
 * broker reloaded their groups with the 10 s used before. A live consumer must then heartbeat well within 6 s:
 * kafkajs sends one at most every heartbeatInterval, but only between fetches (and while a handler waits to retry,
 * see retry.ts), and a fetch with nothing to return waits maxWaitTimeInMs at the broker, 5 s by default: an idle
 * consumer (or one whose partitions are all held after a transient failure, when kafkajs sleeps that long instead)
 * was a second of CPU starvation away from eviction and a rebalance. At 1 s (the Java client waits 500 ms) an idle
 * member heartbeats about every second, for one small fetch a second, and a held partition is fetched again within
 * a second of its hold ending.
 */
const GROUP_TIMINGS = {
  sessionTimeout: 6_000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 1_000,
  maxWaitTimeInMs: 1_000,
};

/**
 * Handled offsets are committed at most this often across batches, and at the latest this long after a message was
 * handled. At a few events a second every batch is a single message, and a commit per batch was a broker round trip
 * and a write to __consumer_offsets per event. A crash or a rebalance redelivers what was handled since the last
 * commit (at most this long's worth): handlers are idempotent, and a group with processed-event marks skips them.
 */
const COMMIT_INTERVAL_MS = 1_000;

export function createConsumer<C extends EventCatalogue>(options: CreateConsumerOptions<C>): EventConsumer {
  const { kafka, groupId, logger } = options;
  const compiled = compileTopics(options.catalogue, options.handlers, options.topicPrefix ?? '');
  const topics = [...compiled.keys()];
  if (topics.length === 0) throw new Error(`consumer group ${groupId} has no handlers`);

  const consumer = kafka.consumer({
    ...GROUP_TIMINGS,
    ...options.consumerConfig,
    groupId,
    allowAutoTopicCreation: false,
  });
  const ownsDeadLetterProducer = options.deadLetterProducer === undefined;
  const deadLetterProducer =
    options.deadLetterProducer ?? createProducer({ kafka, registry: options.registry, logger });
  const metrics = consumerMetrics(options.registry);
  // Series start at zero, not at the first dead letter: increase() and the DLQ alert then count that first one too.
  for (const topic of topics) metrics.deadLettered.inc({ topic }, 0);
  const health = trackHealth(consumer, logger.child({ groupId }), function startOver(error) {
    if (lifetime.signal.aborted || !isBrokerUnavailable(error)) return false;
    // After whatever start is under way: a crash inside its consumer.run() does not make that start fail.
    background = Promise.resolve(background).then(() => startInBackground(error));
    return true;
  });
  const held = createHolds(options.transientBackoff ?? { initialMs: 250, maxMs: 5_000 });
  const commits = createCommits(COMMIT_INTERVAL_MS, logger.child({ groupId }));
  const lifetime = new AbortController();
  let background: Promise<void> | undefined;

  async function consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale, heartbeat, resolveOffset } = payload;
    const { topic, partition } = batch;
    const ctx: ProcessContext = {
      groupId,
      topic,
      partition,
      types: typesOf(compiled, topic),
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
      if (result.kind === 'interrupted') break;
      if (result.kind === 'retry-later') {
        // Hold this partition (kafkajs stops fetching it) and leave the message unresolved: after the pause the
        // partition is fetched again from this message. Other partitions carry on meanwhile.
        const delayMs = held.hold(topic, partition, payload.pause);
        metrics.consumed.inc({ topic, outcome: 'retried' });
        ctx.logger.warn(
          { err: result.error, offset: message.offset, retryInMs: delayMs },
          'infrastructure failure while handling an event; holding the partition and retrying (never dead-lettered)',
        );
        break;
      }
      held.release(topic, partition);
      resolveOffset(message.offset);
      recordLag(metrics, batch.highWatermark, topic, partition, message.offset);
      await commits.ifDue(payload);
      await heartbeat();
    }
    // A stale batch's partition may be another member's by now: what it handled here is redelivered there.
    if (isStale()) return;
    // Stopping: commit now, before the member leaves its group (a timer would find it gone).
    if (lifetime.signal.aborted || !isRunning()) await commits.flush();
    else commits.schedule(payload);
  }

  async function startOnce(): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
    // No auto-commit and no auto-resolve: only consumeBatch decides what is done, one message at a time, and
    // createCommits when it is committed (autoCommitInterval is what commitOffsetsIfNecessary() checks).
    await consumer.run({
      autoCommit: false,
      autoCommitInterval: COMMIT_INTERVAL_MS,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
      eachBatch: consumeBatch,
    });
    health.setRunning(true);
  }

  /** Keeps trying to start while the broker cannot be reached; the app stays up (and ready) meanwhile. */
  async function startInBackground(firstError: unknown): Promise<void> {
    let error = firstError;
    for (let attempt = 1; !lifetime.signal.aborted; attempt++) {
      const delayMs = backoffDelay(attempt, { initialMs: 1_000, maxMs: 10_000 });
      logger.warn({ err: error, groupId, retryInMs: delayMs }, 'Kafka consumer could not start; retrying');
      await consumer.disconnect().catch(() => undefined);
      await sleep(delayMs, undefined, { signal: lifetime.signal }).catch(() => undefined);
      if (lifetime.signal.aborted) return;
      try {
        await startOnce();
        logger.info({ groupId }, 'Kafka consumer started');
        return;
      } catch (err) {
        error = err;
      }
    }
  }

  return {
    async start() {
      try {
        await startOnce();
      } catch (err) {
        background = startInBackground(err);
      }
    },
    async stop() {
      lifetime.abort();
      held.clear();
      health.setRunning(false);
      await background;
      // What earlier batches handled, while this member is still in its group; a batch in flight commits its own
      // when it ends (it sees the abort).
      await commits.flush();
      // disconnect() stops fetching and waits for consumeBatch to return before leaving the group.
      await consumer.disconnect();
      if (ownsDeadLetterProducer) await deadLetterProducer.disconnect();
    },
    isRunning: () => health.isRunning(),
    isAlive: () => health.isAlive(),
  };
}

type CommitHandle = Pick<EachBatchPayload, 'commitOffsetsIfNecessary' | 'uncommittedOffsets'>;

/**
 * Commits the offsets kafkajs has resolved for this member (every partition it holds) on a timer across batches:
 * when a message is handled and COMMIT_INTERVAL_MS has passed since the last commit, or else once the interval
 * has passed after a batch. kafkajs keeps the resolved offsets per generation, so after a rebalance only the
 * partitions still held are committed.
 */
function createCommits(intervalMs: number, logger: Logger) {
  let timer: NodeJS.Timeout | undefined;
  let handle: CommitHandle | undefined;
  /**
   * Commits what is resolved and not yet committed. A failure is logged: the offsets stay resolved and the next batch
   * or flush commits them (after a stop, the next member redelivers them).
   */
  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const offsets = handle?.uncommittedOffsets();
    if (!handle || !offsets || offsets.topics.length === 0) return;
    await handle.commitOffsetsIfNecessary(offsets).catch((err: unknown) => {
      logger.warn({ err }, 'could not commit consumed offsets');
    });
  }
  return {
    /** After each message: kafkajs commits when the interval has passed since its last commit. */
    async ifDue(payload: CommitHandle): Promise<void> {
      handle = payload;
      await payload.commitOffsetsIfNecessary();
    },
    /** After a batch: what it left uncommitted is committed within the interval, more batches or not. */
    schedule(payload: CommitHandle): void {
      handle = payload;
      timer ??= setTimeout(() => void flush(), intervalMs).unref();
    },
    flush,
  };
}

/** Partitions held after a transient failure, each with its own growing delay (reset by the next success). */
function createHolds(backoff: BackoffOptions) {
  const failures = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  return {
    hold(topic: string, partition: number, pause: () => () => void): number {
      const key = `${topic}:${partition}`;
      const failed = (failures.get(key) ?? 0) + 1;
      failures.set(key, failed);
      const delayMs = backoffDelay(failed, backoff);
      const resume = pause();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resume();
      }, delayMs);
      timers.add(timer);
      return delayMs;
    },
    release(topic: string, partition: number): void {
      failures.delete(`${topic}:${partition}`);
    },
    clear(): void {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/**
 * Topic -> what it carries, for the topics of the handled types only. Schemas are compiled once here, not per
 * message. A handler only ever receives what one of its type's schemas accepted, which is what makes widening its
 * payload type to unknown (the cast) safe.
 */
function compileTopics(
  catalogue: EventCatalogue,
  handlers: Partial<Record<string, EventHandler<never>>>,
  prefix: string,
): Map<string, CompiledTopic> {
  const subscribed = new Set<string>();
  for (const [type, handle] of Object.entries(handlers)) {
    if (handle === undefined) continue;
    const spec = catalogue[type];
    if (!spec) throw new Error(`no event type ${type} in the catalogue`);
    subscribed.add(spec.topic);
  }
  const compiled = new Map<string, CompiledTopic>();
  for (const [type, { topic, schemas }] of Object.entries(catalogue)) {
    if (!subscribed.has(topic)) continue;
    const versions = new Map(
      Object.entries(schemas).map(([version, schema]) => [Number(version), envelopeSchema(schema)] as const),
    );
    const handle = handlers[type] as EventHandler | undefined;
    const types = compiled.get(`${prefix}${topic}`) ?? new Map();
    types.set(type, { versions, ...(handle && { handle }) });
    compiled.set(`${prefix}${topic}`, types);
  }
  return compiled;
}

function typesOf(compiled: Map<string, CompiledTopic>, topic: string): CompiledTopic {
  const types = compiled.get(topic);
  // Unreachable: we subscribe to exactly these topics.
  if (!types) throw new Error(`no handlers for topic ${topic}`);
  return types;
}

/** Messages after the one just finished: the partition's high watermark is the offset of the next message written. */
function recordLag(metrics: ConsumerMetrics, highWatermark: string, topic: string, partition: number, done: string) {
  const lag = BigInt(highWatermark) - BigInt(done) - 1n;
  metrics.lag.set({ topic, partition: String(partition) }, Number(lag > 0n ? lag : 0n));
}
