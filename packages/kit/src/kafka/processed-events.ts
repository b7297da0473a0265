import type { Connection } from 'mongoose';
import { isDuplicateKeyError } from '../mongo-errors';

/**
 * Which events each consumer group has already handled, so a redelivered event (Kafka delivers at least once:
 * after a crash, a rebalance or a producer retry) is skipped instead of applied twice.
 *
 * Checking and marking are two steps around the handler, not one transaction: the database (FerretDB) has no
 * multi-document transactions, so the handler's writes and the mark cannot commit together. A crash after the
 * handler succeeded but before the mark was written redelivers the event, and the handler runs again.
 * Handlers must therefore be idempotent themselves (upserts, conditional updates keyed by the event id);
 * this store only makes the common redelivery cheap and keeps non-idempotent side effects (emails) rare.
 */
export interface ProcessedEventStore {
  isProcessed(groupId: string, eventId: string): Promise<boolean>;
  markProcessed(groupId: string, eventId: string, topic: string): Promise<void>;
}

export interface MongoProcessedEventStore extends ProcessedEventStore {
  /**
   * Deletes marks older than `before`; returns how many. FerretDB has no TTL indexes, so the kafka plugin runs this
   * as a periodic task, keeping marks longer than any redelivery can take (the topics' retention is a safe bound).
   */
  prune(before: Date): Promise<number>;
}

/** One mark. The key is the `_id`, the one index every MongoDB-protocol backend looks up without scanning. */
interface ProcessedEvent {
  _id: string;
  groupId: string;
  eventId: string;
  topic: string;
  processedAt: Date;
}

export const PROCESSED_EVENTS_COLLECTION = 'processed_events';

/** Pruning's index, created by the kit's migration (`outboxMigration({ consumers: true })`). */
export const PROCESSED_EVENTS_INDEX = { key: { processedAt: 1 }, name: 'processedAt_1' } as const;

/** Per group: two services consuming the same event must each handle it once. */
function markId(groupId: string, eventId: string): string {
  return `${groupId}:${eventId}`;
}

export function createProcessedEventStore(connection: Connection): MongoProcessedEventStore {
  const marks = connection.collection<ProcessedEvent>(PROCESSED_EVENTS_COLLECTION);

  return {
    async isProcessed(groupId, eventId) {
      return (await marks.findOne({ _id: markId(groupId, eventId) }, { projection: { _id: 1 } })) !== null;
    },
    async markProcessed(groupId, eventId, topic) {
      try {
        await marks.insertOne({ _id: markId(groupId, eventId), groupId, eventId, topic, processedAt: new Date() });
      } catch (err) {
        // Marked already (a redelivery that raced the first delivery's mark): all we wanted.
        if (!isDuplicateKeyError(err)) throw err;
      }
    },
    async prune(before) {
      const { deletedCount } = await marks.deleteMany({ processedAt: { $lt: before } });
      return deletedCount;
    },
  };
}
