import { tail } from '@platform/local-infra';

/** The Kafka side of a deployable: consumed, lag, dead letters, producer renewals, outbox backlog and failures. */
const KAFKA_SERIES =
  /^(kafka_(messages_consumed_total|consumer_lag|dlq_messages_total|producer_renewals_total)|outbox_(backlog|publish_failures_total|parked_total))\b/;

export interface DeployableEndpoints {
  /** The deployable's HTTP base URL (its /health/live is read). */
  url: string;
  /** Its metrics port on 127.0.0.1. */
  metricsPort: number;
  /** Its log file, whose last lines are included. */
  logFile?: string;
}

async function read(url: string): Promise<string> {
  return fetch(url, { signal: AbortSignal.timeout(5_000) })
    .then(async (r) => `${r.status} ${await r.text()}`)
    .catch((err: Error) => `unreachable (${err.message})`);
}

/**
 * What a deployable says about its Kafka side, for a failure message: liveness, the Kafka and outbox series
 * (`only` narrows them, e.g. to one topic), and the last lines of its log. A flake on a shared CI machine leaves no
 * process to look at afterwards: this is what tells a consumer that stopped from an event that was never published.
 */
export async function kafkaSideState(
  name: string,
  endpoints: DeployableEndpoints,
  options: { only?: RegExp; logLines?: number } = {},
): Promise<string> {
  const live = await read(`${endpoints.url}/health/live`);
  const metrics = await read(`http://127.0.0.1:${endpoints.metricsPort}/metrics`);
  const series = metrics
    .split('\n')
    .filter((line) => KAFKA_SERIES.test(line) && (options.only?.test(line) ?? true))
    .join('\n  ');
  const log =
    endpoints.logFile && options.logLines !== 0
      ? `\n  last log lines:\n${tail(endpoints.logFile, options.logLines ?? 15)}`
      : '';
  return `${name}: live ${live.slice(0, 300)}\n  ${series}${log}`;
}
