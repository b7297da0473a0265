import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { getOrCreate } from '../metrics';

/**
 * What became of one consumed message (a `retried` is counted per failed attempt that will be retried; `skipped`:
 * a type of the topic that this group does not handle).
 */
export type ConsumeOutcome = 'processed' | 'duplicate' | 'skipped' | 'retried' | 'dead_lettered' | 'invalid';

export interface ConsumerMetrics {
  consumed: Counter<'topic' | 'outcome'>;
  deadLettered: Counter<'topic'>;
  handlerDuration: Histogram<'topic'>;
  lag: Gauge<'topic' | 'partition'>;
}

/**
 * getOrCreate because several consumers (and tests) may share one registry. Labels stay bounded:
 * topics and partitions are a fixed set, never event ids or keys.
 */
export function consumerMetrics(registry: Registry): ConsumerMetrics {
  return {
    consumed: getOrCreate(registry, 'kafka_messages_consumed_total', function createConsumedCounter() {
      return new Counter({
        name: 'kafka_messages_consumed_total',
        help: 'Kafka messages consumed, by topic and outcome (processed, duplicate, skipped, retried, dead_lettered, invalid)',
        labelNames: ['topic', 'outcome'] as const,
        registers: [registry],
      });
    }),
    deadLettered: getOrCreate(registry, 'kafka_dlq_messages_total', function createDeadLetterCounter() {
      return new Counter({
        name: 'kafka_dlq_messages_total',
        help: 'Kafka messages sent to the dead-letter topic, by original topic',
        labelNames: ['topic'] as const,
        registers: [registry],
      });
    }),
    handlerDuration: getOrCreate(registry, 'kafka_handler_duration_seconds', function createDurationHistogram() {
      return new Histogram({
        name: 'kafka_handler_duration_seconds',
        help: 'Duration of one handler attempt, by topic',
        labelNames: ['topic'] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      });
    }),
    lag: getOrCreate(registry, 'kafka_consumer_lag', function createLagGauge() {
      return new Gauge({
        name: 'kafka_consumer_lag',
        help: 'Messages in the partition after the last one this consumer finished (high watermark - offset - 1)',
        labelNames: ['topic', 'partition'] as const,
        registers: [registry],
      });
    }),
  };
}

export function publishedCounter(registry: Registry): Counter<'topic'> {
  return getOrCreate(registry, 'kafka_messages_published_total', function createPublishedCounter() {
    return new Counter({
      name: 'kafka_messages_published_total',
      help: 'Events published to Kafka (acknowledged by all in-sync replicas), by topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    });
  });
}

export function producerRenewalsCounter(registry: Registry): Counter {
  return getOrCreate(registry, 'kafka_producer_renewals_total', function createRenewalsCounter() {
    return new Counter({
      name: 'kafka_producer_renewals_total',
      help: 'Kafka producers replaced after a failure a new connection fixes (broker unreachable or restarted)',
      registers: [registry],
    });
  });
}
