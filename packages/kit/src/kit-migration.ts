/**
 * Migrations for what the kit stores in a service's database: the outbox relay's index on each aggregate
 * collection and the consumers' processed-event marks. A service's migration file declares what it uses and the
 * kit decides the indexes, so they change in one place:
 *
 *   // services/order/migrations/20261201000001-kit-outbox-and-consumers.js
 *   module.exports = require('@platform/kit/migrations').kitMigration({ outboxCollections: ['orders'], consumers: true });
 */
import type { Collection, Db } from 'mongodb';
import { OUTBOX_INDEX } from './kafka/outbox';
import { PROCESSED_EVENTS_COLLECTION, PROCESSED_EVENTS_INDEX } from './kafka/processed-events';

export interface KitMigrationOptions {
  /** Aggregate collections whose documents carry an outbox (the ones given to app.kafka.addOutboxRelay). */
  outboxCollections?: string[];
  /** The deployable consumes events (app.kafka.addConsumer): processed-event marks, pruned by age. */
  consumers?: boolean;
}

export interface Migration {
  up(db: Db): Promise<void>;
  down(db: Db): Promise<void>;
}

/** Before marks were keyed by _id they had a unique index on (groupId, eventId); it only slows inserts now. */
const LEGACY_MARK_INDEX = { key: { groupId: 1, eventId: 1 }, name: 'groupId_1_eventId_1' } as const;

async function dropIfExists(collection: Collection, name: string): Promise<void> {
  const exists = await collection.indexExists(name).catch(() => false);
  if (exists) await collection.dropIndex(name);
}

export function kitMigration({ outboxCollections = [], consumers = false }: KitMigrationOptions): Migration {
  return {
    async up(db) {
      for (const name of outboxCollections) {
        const collection = db.collection(name);
        await collection.createIndex(OUTBOX_INDEX.key, { name: OUTBOX_INDEX.name });
        // Entries written before the relay tracked outboxPending: hand them to the first sweep.
        await collection.updateMany(
          { 'outbox.0': { $exists: true }, outboxPending: { $exists: false } },
          { $set: { outboxPending: true, outboxDueAt: new Date(0) } },
        );
      }
      if (consumers) {
        const marks = db.collection(PROCESSED_EVENTS_COLLECTION);
        await marks.createIndex(PROCESSED_EVENTS_INDEX.key, { name: PROCESSED_EVENTS_INDEX.name });
        await dropIfExists(marks, LEGACY_MARK_INDEX.name);
      }
    },
    async down(db) {
      if (consumers) {
        const marks = db.collection(PROCESSED_EVENTS_COLLECTION);
        await dropIfExists(marks, PROCESSED_EVENTS_INDEX.name);
        await marks.createIndex(LEGACY_MARK_INDEX.key, { name: LEGACY_MARK_INDEX.name, unique: true });
      }
      for (const name of [...outboxCollections].reverse()) await dropIfExists(db.collection(name), OUTBOX_INDEX.name);
    },
  };
}
