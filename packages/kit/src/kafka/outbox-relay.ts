import { randomUUID } from 'node:crypto';
import type { Collection, Document } from 'mongodb';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createPeriodicTask } from '../periodic-task';
import { describeError, isBrokerUnavailable } from './kafka-errors';
import { outboxMetrics } from './outbox-metrics';
import type { OutboxEntry, OutboxFields, ParkedOutboxEntry } from './outbox';
import type { EventProducer } from './producer';
import { inTraceContext } from './trace-context';

export interface OutboxRelayOptions {
  /** The aggregate collection whose documents carry the outbox fields (see outbox.ts). */
  collection: Collection<Document>;
  producer: EventProducer;
  logger: Logger;
  registry: Registry;
  /** Pause between recovery sweeps: they only find what an in-process publish could not do. Default 5 s. */
  sweepIntervalMs?: number;
  /** How long a stamp or a claim holds a document; another relay may take it over after that. Default 30 s. */
  leaseMs?: number;
  /** Failed attempts (the broker refusing the entry, not being unreachable) before an entry is parked. Default 8. */
  maxAttempts?: number;
  /** Backoff of an entry between failed attempts: 1 s, 2 s, 4 s ... up to 60 s by default. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Documents one sweep pass looks at, in next-attempt order. Default 100. */
  batchSize?: number;
  /** Documents a sweep publishes at the same time. Default 8. */
  concurrency?: number;
}

/** What a writer stores with its change ($set), and hands back to publishAfterWrite once the write is stored. */
export interface OutboxStamp {
  token: string;
  fields: Required<Pick<OutboxFields, 'outboxPending' | 'outboxDueAt' | 'outboxLease'>>;
}

export interface OutboxRelay {
  readonly collectionName: string;
  /** Fields to $set in the update that adds outbox entries: they lease the document to this process. */
  stamp(): OutboxStamp;
  /**
   * Publishes the stamped document's entries now, in the background; call it once the write is stored. Pass the
   * document's outbox as the write left it when you have it (an insert, findOneAndUpdate's `after`), else it is read
   * by id. Never throws: whatever fails here, the sweep retries.
   */
  publishAfterWrite(id: unknown, stamp: OutboxStamp, written?: Pick<OutboxFields, 'outbox' | 'outboxAttempts'>): void;
  /** Starts the recovery sweep. */
  start(): void;
  /**
   * From now on a write's publishAfterWrite hands its document to the next sweep instead of publishing; stops the
   * sweep (no new document is claimed) and waits, within `timeoutMs` in all, for the publishes in progress. False
   * when they outlast it: they are not cancelled, and what they have not finished stays leased in the outbox until
   * the lease runs out and a sweep takes it over.
   */
  stop(timeoutMs?: number): Promise<boolean>;
  /** One sweep pass now; returns how many events went out. Tests and tools use it. */
  sweep(): Promise<number>;
}

type Outcome = 'published' | 'lost-lease' | 'retrying' | 'parked' | 'unavailable';

const CLEARED = { outboxPending: '', outboxDueAt: '', outboxLease: '', outboxAttempts: '', outboxError: '' } as const;
const PROJECTION = { outbox: 1, outboxAttempts: 1, outboxLease: 1 } as const;

/**
 * Publishes outbox entries to Kafka right after the write that stored them (in process), and sweeps for whatever
 * that missed (a crash, an outage, a refused entry) at a slow interval. Entries of one document go out in order,
 * each after the previous one was acknowledged; a document leaves the outbox only after its last acknowledgement.
 * A crash in between republishes the same envelopes, with the same ids, which consumers deduplicate.
 *
 * Documents are held with a lease token (`outboxLease`): every write that adds entries stamps a new one, and every
 * change the relay makes is conditional on the token it holds, so two relays (or a relay and a writer) never remove
 * each other's entries, and each event is published once in the normal course of things.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { collection, producer, logger } = options;
  const name = collection.collectionName;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const batchSize = options.batchSize ?? 100;
  const concurrency = options.concurrency ?? 8;
  const metrics = outboxMetrics(options.registry, collection);
  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;
  /** Grows while the broker is unreachable, so recovery is quick without hammering it; reset by any success. */
  let outageRetryMs = 0;

  const sweepTask = createPeriodicTask({
    name: `outbox-sweep:${name}`,
    intervalMs: options.sweepIntervalMs ?? 5_000,
    initialDelayMs: 1_000,
    logger,
    registry: options.registry,
    run: (signal) => sweep(signal),
  });

  function backoffMs(failedAttempts: number): number {
    const { initialMs = 1_000, maxMs = 60_000 } = options.backoff ?? {};
    return Math.min(maxMs, initialMs * 2 ** (failedAttempts - 1));
  }

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  async function publishDocument(id: unknown, token: string, entries: OutboxEntry[], attempts: number) {
    for (const [index, entry] of entries.entries()) {
      try {
        await inTraceContext(entry.trace, () => producer.publish(entry.topic, entry.event, { key: entry.key }));
      } catch (err) {
        return { outcome: await afterFailure(id, token, entries.slice(index), attempts, err), sent: index };
      }
      metrics.published(entry);
      attempts = 0;
    }
    outageRetryMs = 0;
    const done = await collection.updateOne({ _id: id, outboxLease: token } as Document, {
      $set: { outbox: [] },
      $unset: CLEARED,
    });
    // A writer stamped new entries meanwhile: its relay publishes from the head (ours again; consumers drop them).
    const outcome: Outcome = done.matchedCount === 1 ? 'published' : 'lost-lease';
    return { outcome, sent: entries.length };
  }

  async function afterFailure(
    id: unknown,
    token: string,
    remaining: OutboxEntry[],
    attempts: number,
    err: unknown,
  ): Promise<Outcome> {
    const held = { _id: id, outboxLease: token } as Document;
    const now = Date.now();
    if (isBrokerUnavailable(err)) {
      // The cluster's fault, not the entry's: no attempt is counted, and the sweep comes back soon.
      metrics.failed('unavailable');
      outageRetryMs = Math.min(Math.max(outageRetryMs * 2, 250), 2_000);
      logger.warn({ err, retryInMs: outageRetryMs }, 'Kafka unreachable; outbox entries wait for it');
      await collection.updateOne(held, {
        $set: { outbox: remaining, outboxDueAt: new Date(now) },
        $unset: { outboxLease: '' },
      });
      sweepTask.trigger(outageRetryMs);
      return 'unavailable';
    }
    metrics.failed('rejected');
    const failed = attempts + 1;
    const [head, ...rest] = remaining as [OutboxEntry, ...OutboxEntry[]];
    if (failed < maxAttempts) {
      const retryInMs = backoffMs(failed);
      logger.warn({ err, eventId: head.event.id, attempts: failed, retryInMs }, 'outbox entry refused; will retry');
      await collection.updateOne(held, {
        $set: {
          outbox: remaining,
          outboxAttempts: failed,
          outboxError: describeError(err),
          outboxDueAt: new Date(now + retryInMs),
        },
        $unset: { outboxLease: '' },
      });
      sweepTask.trigger(retryInMs);
      return 'retrying';
    }
    // Parked: off the path of the entries behind it, kept on the document (outboxParked) for an operator.
    const parked: ParkedOutboxEntry = { ...head, attempts: failed, error: describeError(err), parkedAt: new Date(now) };
    const next =
      rest.length > 0
        ? {
            $set: { outbox: rest, outboxDueAt: new Date(now) },
            $unset: { outboxLease: '', outboxAttempts: '', outboxError: '' },
          }
        : { $set: { outbox: [] }, $unset: CLEARED };
    await collection.updateOne(held, { ...next, $push: { outboxParked: parked } } as Document);
    metrics.parked();
    logger.error(
      { err, eventId: head.event.id, topic: head.topic, attempts: failed },
      'outbox entry parked after repeated refusals',
    );
    if (rest.length > 0) sweepTask.trigger();
    return 'parked';
  }

  async function publishStamped(id: unknown, token: string, written?: Pick<OutboxFields, 'outbox' | 'outboxAttempts'>) {
    const doc =
      written ?? (await collection.findOne({ _id: id, outboxLease: token } as Document, { projection: PROJECTION }));
    const entries = (doc?.outbox ?? []) as OutboxEntry[];
    if (entries.length === 0) return;
    await publishDocument(id, token, entries, (doc?.outboxAttempts as number | undefined) ?? 0);
  }

  /** Claims one due document (conditional on what the sweep saw, so two sweeps never both get it), then publishes. */
  async function claimAndPublish(candidate: Document) {
    const token = randomUUID();
    const claimed = await collection.findOneAndUpdate(
      { _id: candidate._id, outboxPending: true, outboxDueAt: candidate.outboxDueAt ?? null },
      { $set: { outboxDueAt: new Date(Date.now() + leaseMs), outboxLease: token } },
      // No projection: FerretDB does not implement one on findAndModify.
      { returnDocument: 'after' },
    );
    if (!claimed) return { outcome: 'lost-lease' as Outcome, sent: 0 };
    return publishDocument(candidate._id, token, (claimed.outbox ?? []) as OutboxEntry[], claimed.outboxAttempts ?? 0);
  }

  async function sweep(signal?: AbortSignal): Promise<number> {
    const now = Date.now();
    const candidates = await collection
      .find(
        { outboxPending: true },
        { projection: { _id: 1, outboxDueAt: 1 }, sort: { outboxDueAt: 1 }, limit: batchSize },
      )
      .toArray();
    const due = candidates.filter((c) => !(c.outboxDueAt instanceof Date) || c.outboxDueAt.getTime() <= now);
    const later = candidates.find((c) => c.outboxDueAt instanceof Date && c.outboxDueAt.getTime() > now);
    if (later) sweepTask.trigger((later.outboxDueAt as Date).getTime() - now);

    let sent = 0;
    let unavailable = false;
    const queue = [...due];
    async function worker(): Promise<void> {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (signal?.aborted || stopping || unavailable) return;
        const result = await claimAndPublish(next);
        sent += result.sent;
        if (result.outcome === 'unavailable') unavailable = true;
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
    if (!unavailable && due.length === batchSize) sweepTask.trigger();
    if (sent > 0) logger.info({ published: sent }, 'outbox sweep published events an in-process publish had missed');
    return sent;
  }

  return {
    collectionName: name,
    stamp() {
      const token = randomUUID();
      return {
        token,
        fields: { outboxPending: true, outboxDueAt: new Date(Date.now() + leaseMs), outboxLease: token },
      };
    },
    publishAfterWrite(id, stamp, written) {
      const work: Promise<unknown> = stopping
        ? // Closing: hand the document straight to the next sweep (another replica, or this one after a restart).
          collection.updateOne({ _id: id, outboxLease: stamp.token } as Document, {
            $set: { outboxDueAt: new Date() },
            $unset: { outboxLease: '' },
          })
        : publishStamped(id, stamp.token, written);
      void track(work).catch((err: unknown) =>
        logger.warn({ err, id }, 'outbox publish after a write failed; the sweep retries it'),
      );
    },
    start() {
      sweepTask.start();
    },
    async stop(timeoutMs = 5_000) {
      stopping = true;
      const deadline = Date.now() + timeoutMs;
      const sweepStopped = await sweepTask.stop(timeoutMs);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      });
      const drained = await Promise.race([Promise.allSettled([...inFlight]).then(() => true as const), timedOut]);
      clearTimeout(timer);
      if (!drained) logger.warn({ inFlight: inFlight.size }, 'outbox publishes still in progress at stop');
      return sweepStopped && drained;
    },
    sweep: () => sweep(),
  };
}
