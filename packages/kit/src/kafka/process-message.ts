import type Joi from 'joi';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { sendToDeadLetter, type DeadLetterFailure } from './dead-letter';
import { decodeEvent } from './decode-event';
import type { EventEnvelope } from './envelope';
import type { MessageContext, TopicHandler } from './handler';
import { decodeHeaders } from './headers';
import type { ConsumerMetrics } from './kafka-metrics';
import type { ProcessedEventStore } from './processed-events';
import type { EventProducer } from './producer';
import { runWithRetries, type BackoffOptions } from './retry';

/** A topic's handler with its payload schema already wrapped in the envelope schema. */
export interface CompiledHandler {
  schema: Joi.ObjectSchema<EventEnvelope>;
  handle: TopicHandler['handle'];
}

export interface ProcessContext {
  groupId: string;
  topic: string;
  partition: number;
  handler: CompiledHandler;
  processedEvents: ProcessedEventStore;
  deadLetterProducer: EventProducer;
  metrics: ConsumerMetrics;
  /** Bound to topic and partition. */
  logger: Logger;
  maxAttempts: number;
  backoff: BackoffOptions;
  heartbeat(): Promise<void>;
  shouldContinue(): boolean;
}

/** `done`: handled, skipped as a duplicate or dead-lettered; commit it. `interrupted`: leave it to be redelivered. */
export type ProcessResult = 'done' | 'interrupted';

/**
 * One message, start to finish: validate, skip if already processed, handle with retries, dead-letter on failure.
 * Throws only for infrastructure failures (database or broker down): the consumer then retries the batch from
 * this message, since dead-lettering a good message because our own database was down would be wrong.
 */
export async function processMessage(message: KafkaMessage, ctx: ProcessContext): Promise<ProcessResult> {
  const { topic, groupId, metrics } = ctx;
  const decoded = decodeEvent(message.value, ctx.handler.schema);
  if (!decoded.ok) {
    ctx.logger.warn(
      { offset: message.offset, err: decoded.error },
      'invalid message, sending it to the dead-letter topic',
    );
    await deadLetter(message, ctx, { type: 'invalid', error: decoded.error, attempts: 0 });
    metrics.consumed.inc({ topic, outcome: 'invalid' });
    return 'done';
  }

  const { event } = decoded;
  const logger = ctx.logger.child({ offset: message.offset, eventId: event.id, eventType: event.type });
  if (await ctx.processedEvents.isProcessed(groupId, event.id)) {
    logger.debug('event already processed by this group, skipping it');
    metrics.consumed.inc({ topic, outcome: 'duplicate' });
    return 'done';
  }

  const result = await runWithRetries(
    function attemptHandler(attempt) {
      return timedHandle(event, messageContext(message, ctx, logger, attempt), ctx);
    },
    {
      maxAttempts: ctx.maxAttempts,
      backoff: ctx.backoff,
      heartbeat: ctx.heartbeat,
      shouldContinue: ctx.shouldContinue,
      onRetry: function recordRetry(err, attempt, delayMs) {
        logger.warn({ err, attempt, delayMs }, 'handler failed, retrying');
        metrics.consumed.inc({ topic, outcome: 'retried' });
      },
    },
  );

  switch (result.status) {
    case 'succeeded':
      await ctx.processedEvents.markProcessed(groupId, event.id, topic);
      metrics.consumed.inc({ topic, outcome: 'processed' });
      return 'done';
    case 'exhausted':
      logger.error(
        { err: result.error, attempts: result.attempts },
        'handler gave up, sending the event to the dead-letter topic',
      );
      await deadLetter(message, ctx, { type: 'handler-failed', error: result.error, attempts: result.attempts });
      metrics.consumed.inc({ topic, outcome: 'dead_lettered' });
      return 'done';
    case 'interrupted':
      logger.info('consumer stopping (or partition seeked) during a retry; the event will be redelivered');
      return 'interrupted';
  }
}

async function timedHandle(event: EventEnvelope, context: MessageContext, ctx: ProcessContext): Promise<void> {
  const stopTimer = ctx.metrics.handlerDuration.startTimer({ topic: ctx.topic });
  try {
    await ctx.handler.handle(event, context);
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
