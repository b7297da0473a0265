import type { Collection, Document } from 'mongodb';
import type { OutboxEntry, ParkedOutboxEntry } from './outbox';

export interface ParkedDocument {
  id: unknown;
  parked: ParkedOutboxEntry[];
}

/**
 * Documents holding parked outbox entries. An operator's query, not a hot path: `outboxParked` is not indexed (it is
 * rare), so this reads the collection.
 */
export async function findParked(collection: Collection<Document>, limit = 100): Promise<ParkedDocument[]> {
  const docs = await collection
    .find({ 'outboxParked.0': { $exists: true } }, { projection: { outboxParked: 1 }, limit })
    .toArray();
  return docs.map((doc) => ({ id: doc._id, parked: doc.outboxParked as ParkedOutboxEntry[] }));
}

/**
 * Puts a document's parked entries back at the head of its outbox (they are older than anything behind them) and
 * makes it due now, for the relay's next sweep. Conditional on the outbox fields being as read, so a concurrent
 * write or publish makes it return false instead of losing an entry: read again and retry. Returns how many
 * entries were requeued.
 */
export async function requeueParked(collection: Collection<Document>, id: unknown): Promise<number> {
  const doc = await collection.findOne({ _id: id } as Document);
  const parked = (doc?.outboxParked ?? []) as ParkedOutboxEntry[];
  if (!doc || parked.length === 0) return 0;
  const entries: OutboxEntry[] = parked.map(({ topic, key, event, trace }) => ({
    topic,
    key,
    event,
    ...(trace ? { trace } : {}),
  }));
  const unchanged = {
    _id: id,
    outboxLease: doc.outboxLease ?? { $exists: false },
    outboxPending: doc.outboxPending ?? { $exists: false },
    outboxDueAt: doc.outboxDueAt ?? { $exists: false },
  } as Document;
  const { matchedCount } = await collection.updateOne(unchanged, {
    $set: {
      outbox: [...entries, ...((doc.outbox ?? []) as OutboxEntry[])],
      outboxPending: true,
      outboxDueAt: new Date(),
    },
    $unset: { outboxParked: '', outboxLease: '', outboxAttempts: '', outboxError: '' },
  });
  return matchedCount === 1 ? entries.length : 0;
}
