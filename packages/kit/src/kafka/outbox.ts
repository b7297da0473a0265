import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection, Document } from 'mongodb';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { getOrCreate } from '../metrics';
import type { EventEnvelope } from './envelope';
import type { EventProducer } from './producer';
import { captureTraceContext, inTraceContext } from './trace-context';

/**
 * An event waiting to be published, stored in the `outbox` array of the aggregate's own document and written
 * in the same single-document update as the state change it describes: either both happen or neither does,
 * with no transaction (FerretDB has none, and a real MongoDB does not need one for this).
 */
export interface OutboxEntry {
  topic: string;
  key: string;
  event: EventEnvelope;
  /** Trace context of the request that wrote the entry, so the published event continues its trace. */
  trace?: Record<string, string>;
}

export function outboxEntry<T>(topic: string, key: string, event: EventEnvelope<T>): OutboxEntry {
  const trace = captureTraceContext();
  return { topic, key, event: event as EventEnvelope, ...(trace ? { trace } : {}) };
}

export interface OutboxRelayOptions {
  /** The aggregate collection whose documents carry `outbox` (and the relay's lease fields). */
  collection: Collection<Document>;
  producer: EventProducer;
  logger: Logger;
  registry: Registry;
  intervalMs?: number;
  /** How long a claimed document is reserved for this relay; another replica takes over after it. */
  leaseMs?: number;
  maxBackoffMs?: number;
}

export interface OutboxRelay {
  start(): void;
  /** Finishes the document in hand, then stops. */
  stop(): Promise<void>;
  /** Publishes everything pending now; returns how many events went out. Used by the loop and by tests. */
  drain(): Promise<number>;
}

/**
 * Relays outbox entries to Kafka, oldest first per document, until the broker acknowledges each one; an entry
 * is removed (conditionally, so a slower replica cannot remove a newer one) only after its acknowledgement.
 * Crashing between the two republishes the same envelope, with the same id, which consumers deduplicate.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { collection, producer, logger } = options;
  const owner = randomUUID();
  const leaseMs = options.leaseMs ?? 30_000;
  const name = collection.collectionName;
  const published = getOrCreate(
    options.registry,
    'outbox_published_total',
    () =>
      new Counter({
        name: 'outbox_published_total',
        help: 'Outbox events published',
        labelNames: ['collection'],
        registers: [options.registry],
      }),
  );
  const failures = getOrCreate(
    options.registry,
    'outbox_publish_failures_total',
    () =>
      new Counter({
        name: 'outbox_publish_failures_total',
        help: 'Outbox publish attempts that failed',
        labelNames: ['collection'],
        registers: [options.registry],
      }),
  );
  getOrCreate(
    options.registry,
    'outbox_backlog',
    () =>
      new Gauge({
        name: 'outbox_backlog',
        help: 'Documents with events not yet published',
        labelNames: ['collection'],
        registers: [options.registry],
        // Counted when scraped, so the figure is current without a polling loop of its own.
        async collect() {
          this.set({ collection: name }, await collection.countDocuments({ 'outbox.0': { $exists: true } }));
        },
      }),
  );

  // Series start at zero, so rate() and the dashboards see the first publish (or failure) too.
  published.inc({ collection: name }, 0);
  failures.inc({ collection: name }, 0);

  let running = false;
  let loop: Promise<void> | undefined;

  async function claim(): Promise<Document | null> {
    const now = new Date();
    return collection.findOneAndUpdate(
      {
        'outbox.0': { $exists: true },
        $or: [{ outboxLeaseUntil: { $exists: false } }, { outboxLeaseUntil: { $lt: now } }],
      },
      { $set: { outboxLeaseUntil: new Date(now.getTime() + leaseMs), outboxLeaseOwner: owner } },
      { returnDocument: 'after' },
    );
  }

  async function publishDocument(doc: Document): Promise<number> {
    let sent = 0;
    try {
      for (const entry of doc.outbox as OutboxEntry[]) {
        await inTraceContext(entry.trace, () => producer.publish(entry.topic, entry.event, { key: entry.key }));
        // $pop the head only if it is still this entry: FerretDB lacks $pull by condition, and this is exact anyway.
        await collection.updateOne({ _id: doc._id, 'outbox.0.event.id': entry.event.id }, { $pop: { outbox: -1 } });
        published.inc({ collection: name });
        sent++;
      }
    } finally {
      await collection.updateOne(
        { _id: doc._id, outboxLeaseOwner: owner },
        { $unset: { outboxLeaseUntil: '', outboxLeaseOwner: '' } },
      );
    }
    return sent;
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (let doc = await claim(); doc; doc = await claim()) total += await publishDocument(doc);
    return total;
  }

  async function run(): Promise<void> {
    let backoff = 0;
    while (running) {
      try {
        await drain();
        backoff = 0;
      } catch (err) {
        failures.inc({ collection: name });
        backoff = Math.min(Math.max(backoff * 2, 250), options.maxBackoffMs ?? 10_000);
        logger.warn({ err, retryInMs: backoff }, 'outbox relay could not publish; will retry');
      }
      if (running) await sleep(backoff || options.intervalMs || 200);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      await loop;
    },
    drain,
  };
}
