import { Schema, type Connection, type Model } from 'mongoose';

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
   * Deletes marks older than `before`; returns how many. FerretDB has no TTL indexes, so run this from a
   * scheduled job, keeping marks longer than any redelivery can take (topic retention is a safe bound).
   */
  prune(before: Date): Promise<number>;
}

interface ProcessedEvent {
  groupId: string;
  eventId: string;
  topic: string;
  processedAt: Date;
}

const processedEventSchema = new Schema<ProcessedEvent>(
  {
    groupId: { type: String, required: true },
    eventId: { type: String, required: true },
    topic: { type: String, required: true },
    processedAt: { type: Date, required: true },
  },
  { collection: 'processed_events', versionKey: false },
);
// Per group: two services consuming the same event must each handle it once.
processedEventSchema.index({ groupId: 1, eventId: 1 }, { unique: true });

const MODEL_NAME = 'ProcessedEvent';
const DUPLICATE_KEY = 11000;

/** Builds the indexes before returning: deduplication relies on the unique index, so it is not left to autoIndex. */
export async function createProcessedEventStore(connection: Connection): Promise<MongoProcessedEventStore> {
  const model =
    (connection.models[MODEL_NAME] as Model<ProcessedEvent> | undefined) ??
    connection.model<ProcessedEvent>(MODEL_NAME, processedEventSchema);
  await model.createIndexes();

  return {
    async isProcessed(groupId, eventId) {
      return (await model.exists({ groupId, eventId })) !== null;
    },
    async markProcessed(groupId, eventId, topic) {
      try {
        await model.updateOne(
          { groupId, eventId },
          { $setOnInsert: { topic, processedAt: new Date() } },
          { upsert: true },
        );
      } catch (err) {
        // Two upserts racing on the unique index: the other one recorded it, which is all we wanted.
        if (!isDuplicateKeyError(err)) throw err;
      }
    },
    async prune(before) {
      const { deletedCount } = await model.deleteMany({ processedAt: { $lt: before } });
      return deletedCount;
    },
  };
}

function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === DUPLICATE_KEY;
}
