import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { classifyFailure, type FailureKind } from '../errors/failure-kind';
import { sendToDeadLetter, type DeadLetterFailure } from './dead-letter';
import type { EventHandler } from './catalogue';
import { decodeEvent, type CompiledTopic } from './decode-event';
import type { EventEnvelope } from './envelope';
import type { MessageContext } from './handler';
import { decodeHeaders } from './headers';
import { isBrokerUnavailable } from './kafka-errors';
import type { ConsumerMetrics } from './kafka-metrics';
import type { ProcessedEventStore } from './processed-events';
import type { EventProducer } from './producer';
import { runWithRetries, type BackoffOptions } from './retry';

export interface ProcessContext {
  groupId: string;
  topic: string;
  partition: number;
  /** The types this topic carries, their schemas and this group's handlers. */
  types: CompiledTopic;
  /** Null: the group does not deduplicate (see CreateConsumerOptions.processedEvents). */
  processedEvents: ProcessedEventStore | null;
  deadLetterProducer: EventProducer;
  metrics: ConsumerMetrics;
  /** Bound to topic and partition. */
  logger: Logger;
  maxAttempts: number;
  backoff: BackoffOptions;
  heartbeat(): Promise<void>;
  shouldContinue(): boolean;
}

/**
 * `done`: handled, skipped (a duplicate, or a type this group does not handle) or dead-lettered; commit it.
 * `interrupted`: the consumer is stopping (or lost the partition) during a retry; leave it to be redelivered.
 * `retry-later`: the infrastructure failed (database, broker, an upstream): leave it, hold the partition for a
 * while and try it again; it is never dead-lettered for that.
 */
export type ProcessResult = { kind: 'done' } | { kind: 'interrupted' } | { kind: 'retry-later'; error: Error };

const DONE: ProcessResult = { kind: 'done' };

/** Infrastructure trouble of any kind the kit knows, a broker that cannot be reached included. */
export function failureKind(err: unknown): FailureKind {
  return isBrokerUnavailable(err) ? 'transient' : classifyFailure(err);
}

/**
 * One message, start to finish: validate, skip if already processed, handle, mark. Dead-lettered at once: a
 * message that is not a valid envelope of a known type and version (`invalid`), and one whose handler throws a
 * poison error (`poison: true`, or an AppError with a 4xx status: the same input gets the same answer). Dead-lettered
 * after `maxAttempts` in-place attempts: any other handler error. Never dead-lettered: transient failures (of the
 * handler or of the steps around it), which hold the partition instead. A non-transient failure of a step around
 * the handler (the dedup check, the mark, sending the dead letter) is thrown out of the batch: kafkajs retries the
 * batch and restarts the consumer, and the message is redelivered, not dead-lettered.
 */
export async function processMessage(message: KafkaMessage, ctx: ProcessContext): Promise<ProcessResult> {
  try {
    return await processOnce(message, ctx);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    if (failureKind(error) === 'transient') return { kind: 'retry-later', error };
    throw error;
  }
}

async function processOnce(message: KafkaMessage, ctx: ProcessContext): Promise<ProcessResult> {
  const { topic, groupId, metrics } = ctx;
  const decoded = decodeEvent(message.value, ctx.types);
  if (decoded.kind === 'unhandled') {
    // Another group's business on this aggregate's topic: acknowledged, not processed, not marked.
    metrics.consumed.inc({ topic, outcome: 'skipped' });
    return DONE;
  }
  if (decoded.kind === 'invalid') {
    ctx.logger.warn(
      { offset: message.offset, err: decoded.error },
      'invalid message, sending it to the dead-letter topic',
    );
    await deadLetter(message, ctx, { type: 'invalid', error: decoded.error, attempts: 0 });
    metrics.consumed.inc({ topic, outcome: 'invalid' });
    return DONE;
  }

  const { event, handle } = decoded;
  const logger = ctx.logger.child({ offset: message.offset, eventId: event.id, eventType: event.type });
  if (await ctx.processedEvents?.isProcessed(groupId, event.id)) {
    logger.debug('event already processed by this group, skipping it');
    metrics.consumed.inc({ topic, outcome: 'duplicate' });
    return DONE;
  }

  const result = await runWithRetries(
    function attemptHandler(attempt) {
      return timedHandle(handle, event, messageContext(message, ctx, logger, attempt), ctx);
    },
    {
      maxAttempts: ctx.maxAttempts,
      backoff: ctx.backoff,
      heartbeat: ctx.heartbeat,
      shouldContinue: ctx.shouldContinue,
      classify: failureKind,
      onRetry: function recordRetry(err, attempt, delayMs) {
        logger.warn({ err, attempt, delayMs }, 'handler failed, retrying');
        metrics.consumed.inc({ topic, outcome: 'retried' });
      },
    },
  );

  switch (result.status) {
    case 'succeeded':
      await ctx.processedEvents?.markProcessed(groupId, event.id, topic);
      metrics.consumed.inc({ topic, outcome: 'processed' });
      return DONE;
    case 'transient':
      return { kind: 'retry-later', error: result.error };
    case 'poison':
      logger.error({ err: result.error }, 'handler rejected the event as poison, sending it to the dead-letter topic');
      await deadLetter(message, ctx, { type: 'rejected', error: result.error, attempts: result.attempts });
      metrics.consumed.inc({ topic, outcome: 'dead_lettered' });
      return DONE;
    case 'exhausted':
      logger.error(
        { err: result.error, attempts: result.attempts },
        'handler gave up, sending the event to the dead-letter topic',
      );
      await deadLetter(message, ctx, { type: 'handler-failed', error: result.error, attempts: result.attempts });
      metrics.consumed.inc({ topic, outcome: 'dead_lettered' });
      return DONE;
    case 'interrupted':
      logger.info('consumer stopping (or partition seeked) during a retry; the event will be redelivered');
      return { kind: 'interrupted' };
  }
}

async function timedHandle(
  handle: EventHandler,
  event: EventEnvelope,
  context: MessageContext,
  ctx: ProcessContext,
): Promise<void> {
  const stopTimer = ctx.metrics.handlerDuration.startTimer({ topic: ctx.topic });
  try {
    await handle(event, context);
  } finally {
    stopTimer();
  }
}

function messageContext(message: KafkaMessage, ctx: ProcessContext, logger: Logger, attempt: number): MessageContext {
  return {
    topic: ctx.topic,
    partition: ctx.partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    headers: decodeHeaders(message.headers),
    attempt,
    groupId: ctx.groupId,
    logger,
    heartbeat: ctx.heartbeat,
  };
}

async function deadLetter(message: KafkaMessage, ctx: ProcessContext, failure: DeadLetterFailure): Promise<void> {
  const source = { topic: ctx.topic, partition: ctx.partition, message, groupId: ctx.groupId };
  await sendToDeadLetter(ctx.deadLetterProducer, source, failure);
  ctx.metrics.deadLettered.inc({ topic: ctx.topic });
}
