import { context, propagation } from '@opentelemetry/api';

/**
 * W3C trace context (`traceparent`, `tracestate`) of the active span, or undefined outside a trace or without an
 * SDK. Stored with an outbox entry, it lets the relay publish the event as part of the request that wrote it,
 * although the relay runs later, in a loop of its own.
 */
export function captureTraceContext(): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}
