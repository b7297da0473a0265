import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import { enabledInstrumentations } from './switches';

/** Ends a client span: with the answer's status, or with the kind of failure when no answer came. */
export type EndClientSpan = (outcome: { status: number } | { error: string }) => void;

function noSpan(): void {}

const tracer = trace.getTracer('@platform/kit/http-client');

let enabled: boolean | undefined;

/** The `undici` switch of OTEL_NODE_DISABLED_INSTRUMENTATIONS (and OTEL_SDK_DISABLED), read once per process. */
function clientSpansEnabled(): boolean {
  enabled ??= enabledInstrumentations(process.env).includes('undici');
  return enabled;
}

function endClientSpan(span: Span, outcome: { status: number } | { error: string }): void {
  if ('status' in outcome) {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
    // A client span is in error for any 4xx or 5xx answer (the conventions' rule for clients).
    if (outcome.status >= 400) {
      span.setAttribute(ATTR_ERROR_TYPE, String(outcome.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  } else {
    span.setAttribute(ATTR_ERROR_TYPE, outcome.error);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * The HTTP client span of one attempt of the kit's client, a child of the active context (the server span of the
 * request being served), and its trace context written into `headers`: `traceparent` and `tracestate` are SET, not
 * added, so a `traceparent` a proxy passes on from its own caller is replaced by the one naming this span (two
 * such headers would reach the upstream as one unparsable value and start a new trace there).
 *
 * What @opentelemetry/instrumentation-undici did per request, without its costs: it listened on undici's
 * diagnostics channels for every request, parsed the URL and the request headers (for the user agent) and built
 * the attributes also for spans that are never recorded: 7-16% of the gateway's CPU per forwarded request
 * (two profiled rounds, docs/benchmarks.md). Here attributes are computed only for a recorded span. The span ends with the attempt: once the answer
 * is read, or for a streamed one (`HttpClient.stream`) once its headers arrived, as the attempt metrics time it;
 * the upstream's server span covers the rest. Without the SDK (OTEL_SDK_DISABLED) or with the
 * `undici` switch off, nothing is written: headers the caller set pass unchanged.
 */
export function startClientSpan(
  method: string,
  origin: URL,
  path: string,
  headers: Record<string, string>,
): EndClientSpan {
  if (!clientSpansEnabled()) return noSpan;
  const parent = context.active();
  const span = tracer.startSpan(
    method,
    { kind: SpanKind.CLIENT, attributes: { [ATTR_HTTP_REQUEST_METHOD]: method } },
    parent,
  );
  if (span.isRecording()) {
    const query = path.indexOf('?');
    span.setAttributes({
      [ATTR_SERVER_ADDRESS]: origin.hostname,
      [ATTR_SERVER_PORT]: Number(origin.port || (origin.protocol === 'https:' ? 443 : 80)),
      // Without the query: it may carry values (cursors, search terms) that do not belong in a trace.
      [ATTR_URL_FULL]: `${origin.origin}${query === -1 ? path : path.slice(0, query)}`,
    });
  }
  propagation.inject(trace.setSpan(parent, span), headers);
  return (outcome) => endClientSpan(span, outcome);
}
