import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { getOrCreate } from '../metrics';

export type BreakerState = 'closed' | 'half-open' | 'open';

/** Numeric so dashboards can graph it and alerts can fire on `== 2`. */
const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** The metrics of one upstream, with its `upstream` label already applied. */
export interface UpstreamMetrics {
  breakerState(state: BreakerState): void;
  breakerOpened(): void;
  breakerRejected(): void;
  bulkheadRejected(): void;
  /** The number of calls now waiting for a bulkhead slot: reported when it changes, which only a full bulkhead does. */
  bulkheadQueued(length: number): void;
  retried(): void;
  /**
   * Starts timing one attempt; the returned function records it with the answer's status code,
   * or with `timeout`, `network` or `error` when no answer came back.
   */
  startAttempt(method: string): (statusCode: string) => void;
}

function upstreamCounter(registry: Registry, name: string, help: string): Counter<'upstream'> {
  return getOrCreate(
    registry,
    name,
    () => new Counter({ name, help, labelNames: ['upstream'], registers: [registry] }),
  );
}

/** Metrics are shared by every client on the registry (getOrCreate) and told apart by the `upstream` label. */
export function createUpstreamMetrics(registry: Registry, upstream: string): UpstreamMetrics {
  const state = getOrCreate(
    registry,
    'upstream_breaker_state',
    () =>
      new Gauge({
        name: 'upstream_breaker_state',
        help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open',
        labelNames: ['upstream'],
        registers: [registry],
      }),
  );
  const opens = upstreamCounter(registry, 'upstream_breaker_opens_total', 'Times the circuit breaker opened');
  const rejections = upstreamCounter(
    registry,
    'upstream_breaker_rejections_total',
    'Calls rejected without reaching the upstream because the breaker was open',
  );
  const bulkheadRejections = upstreamCounter(
    registry,
    'upstream_bulkhead_rejections_total',
    'Calls rejected without reaching the upstream: too many in flight and queued, or no slot free in time',
  );
  const queued = getOrCreate(
    registry,
    'upstream_bulkhead_queued',
    () =>
      new Gauge({
        name: 'upstream_bulkhead_queued',
        help: 'Calls waiting for a free slot to an upstream (every slot busy)',
        labelNames: ['upstream'],
        registers: [registry],
      }),
  );
  const retries = upstreamCounter(registry, 'upstream_retries_total', 'Attempts repeated after a retryable failure');
  const duration = getOrCreate(
    registry,
    'upstream_request_duration_seconds',
    () =>
      new Histogram({
        name: 'upstream_request_duration_seconds',
        help: 'Duration of each attempt to call an upstream, by method and status code (or timeout, network, error)',
        labelNames: ['upstream', 'method', 'status_code'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
  );

  const labels = { upstream };
  // Start every series at zero so rate() and "== 2" alerts work before the first event.
  state.set(labels, BREAKER_STATE_VALUE.closed);
  queued.set(labels, 0);
  for (const counter of [opens, rejections, bulkheadRejections, retries]) counter.inc(labels, 0);

  return {
    breakerState: (value) => state.set(labels, BREAKER_STATE_VALUE[value]),
    breakerOpened: () => opens.inc(labels),
    breakerRejected: () => rejections.inc(labels),
    bulkheadRejected: () => bulkheadRejections.inc(labels),
    bulkheadQueued: (length) => queued.set(labels, length),
    retried: () => retries.inc(labels),
    startAttempt(method) {
      const end = duration.startTimer({ upstream, method });
      return function recordAttempt(statusCode) {
        end({ status_code: statusCode });
      };
    },
  };
}
