import { config } from './config.js';

/**
 * The pass/fail criteria of one scenario: p95 and p99 of its API calls (the order scenario's long-running reads
 * of the event stream are tagged `kind:stream` and left out), the share of failed calls and the share of passed
 * checks. k6 exits with 99 when any threshold is crossed, which fails the CI step or the benchmark run.
 */
export function scenarioThresholds(scenario, { p95, p99, errors = 0.005, checks = 0.99 }) {
  const api = `{scenario:${scenario},kind:api}`;
  return {
    [`http_req_duration${api}`]: [`p(95)<${config.p95Ms ?? p95}`, `p(99)<${config.p99Ms ?? p99}`],
    [`http_req_failed${api}`]: [`rate<${errors}`],
    [`checks{scenario:${scenario}}`]: [`rate>${checks}`],
    // A scenario that made no call passes every other threshold; this one fails it (and puts the scenario's
    // throughput into the summary, which lists only sub-metrics that have thresholds).
    [`http_reqs${api}`]: ['count>0'],
  };
}

/** Time from placing an order to seeing its final status (custom Trend `order_to_final_ms`). */
export function orderCompletionThresholds(scenario, { p95, p99 }) {
  return {
    [`order_to_final_ms{scenario:${scenario}}`]: [`p(95)<${config.p95Ms ?? p95}`, `p(99)<${config.p99Ms ?? p99}`],
    [`orders_final{scenario:${scenario}}`]: ['rate>0.995'],
  };
}
