import { context, propagation } from '@opentelemetry/api';

/**
 * W3C trace context (`traceparent`, `tracestate`) of the active span, or undefined outside a trace or without an
 * SDK. Stored with an outbox entry, it lets the relay publish the event as part of the request that wrote it,
 * although the relay runs later, in a loop of its own. Apart from trace-context.ts, which is typed on kafkajs, so
 * that writing an outbox entry (and @platform/kit/core with it) loads no broker client.
 */
export function captureTraceContext(): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}
