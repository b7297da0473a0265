import type { Collection, Document } from 'mongodb';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { getOrCreate } from '../metrics';
import type { OutboxEntry } from './outbox';

export interface OutboxMetrics {
  published(entry: OutboxEntry): void;
  /** `unavailable`: the broker could not be reached; `rejected`: the broker refused the entry. */
  failed(reason: 'unavailable' | 'rejected'): void;
  parked(): void;
}

/** Every outbox collection of a registry's app, for the backlog gauge (one gauge, one series per collection). */
const backlogCollections = new WeakMap<Registry, Map<string, Collection<Document>>>();

/** Outbox metrics for one collection; several relays (and tests) share one registry, hence getOrCreate. */
export function outboxMetrics(registry: Registry, collection: Collection<Document>): OutboxMetrics {
  const name = collection.collectionName;
  const published = getOrCreate(
    registry,
    'outbox_published_total',
    () =>
      new Counter({
        name: 'outbox_published_total',
        help: 'Outbox events published',
        labelNames: ['collection'],
        registers: [registry],
      }),
  );
  const failures = getOrCreate(
    registry,
    'outbox_publish_failures_total',
    () =>
      new Counter({
        name: 'outbox_publish_failures_total',
        help: 'Outbox publish attempts that failed, by reason (unavailable: broker unreachable; rejected: entry refused)',
        labelNames: ['collection', 'reason'],
        registers: [registry],
      }),
  );
  const parked = getOrCreate(
    registry,
    'outbox_parked_total',
    () =>
      new Counter({
        name: 'outbox_parked_total',
        help: 'Outbox entries parked after repeated refusals by the broker (kept in outboxParked, need an operator)',
        labelNames: ['collection'],
        registers: [registry],
      }),
  );
  const delay = getOrCreate(
    registry,
    'outbox_publish_delay_seconds',
    () =>
      new Histogram({
        name: 'outbox_publish_delay_seconds',
        help: 'From the event being written (occurredAt) to the broker acknowledging it',
        labelNames: ['collection'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers: [registry],
      }),
  );
  let watched = backlogCollections.get(registry);
  if (!watched) backlogCollections.set(registry, (watched = new Map()));
  watched.set(name, collection);
  const collections = watched;
  getOrCreate(
    registry,
    'outbox_backlog',
    () =>
      new Gauge({
        name: 'outbox_backlog',
        help: 'Documents with events not yet published',
        labelNames: ['collection'],
        registers: [registry],
        // Counted when scraped (equality on the indexed outboxPending), so no loop of its own keeps it current.
        async collect() {
          for (const [label, source] of collections) {
            this.set({ collection: label }, await source.countDocuments({ outboxPending: true }));
          }
        },
      }),
  );

  // Series start at zero, so rate(), increase() and the alerts see the first publish, failure or parked entry too.
  published.inc({ collection: name }, 0);
  failures.inc({ collection: name, reason: 'unavailable' }, 0);
  failures.inc({ collection: name, reason: 'rejected' }, 0);
  parked.inc({ collection: name }, 0);

  return {
    published(entry) {
      published.inc({ collection: name });
      const occurredAt = Date.parse(entry.event.occurredAt);
      if (Number.isFinite(occurredAt)) delay.observe({ collection: name }, Math.max(0, Date.now() - occurredAt) / 1000);
    },
    failed: (reason) => failures.inc({ collection: name, reason }),
    parked: () => parked.inc({ collection: name }),
  };
}
