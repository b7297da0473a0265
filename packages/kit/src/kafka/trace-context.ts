import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import { decodeHeaders } from './headers';

/** Runs `fn` as a continuation of the captured trace context (the kafkajs producer span becomes its child). */
export function inTraceContext<T>(carrier: Record<string, string> | undefined, fn: () => Promise<T>): Promise<T> {
  return carrier ? context.with(propagation.extract(ROOT_CONTEXT, carrier), fn) : fn();
}

const tracer = trace.getTracer('@platform/kit');

/**
 * Processes one message inside a consumer span whose parent is the producer's context from the message headers.
 * kafkajs' instrumentation only links its per-message spans to the producer when consuming with eachBatch (their
 * parent is the batch's poll span, a new trace), so without this a trace would stop at Kafka.
 */
export async function withConsumerSpan<T>(
  message: KafkaMessage,
  where: { topic: string; partition: number; groupId: string },
  fn: () => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, decodeHeaders(message.headers));
  // Attribute names from the OpenTelemetry messaging semantic conventions.
  const span = tracer.startSpan(
    `process ${where.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': where.topic,
        'messaging.destination.partition.id': String(where.partition),
        'messaging.consumer.group.name': where.groupId,
        'messaging.kafka.offset': Number(message.offset),
        ...(message.key ? { 'messaging.kafka.message.key': message.key.toString() } : {}),
      },
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw err;
  } finally {
    span.end();
  }
}
