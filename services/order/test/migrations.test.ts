import mongoose, { type Connection } from 'mongoose';
import { runMigrations } from '@platform/kit';
import { isolatedMongoUrl, migrateDownAll } from '@platform/test-kit';
import { idempotencyKeyModel } from '../src/data-access/idempotency-key-model';
import { orderModel } from '../src/data-access/order-model';
import { orderTransitionModel } from '../src/data-access/order-transition-model';
import { migrationsDir } from './helpers/app';

/** Index keys as JSON (field order matters in an index), sorted, so two lists compare as sets. */
const asKeys = (keys: Array<Record<string, unknown>>): string[] => keys.map((key) => JSON.stringify(key)).sort();

/** The indexes of a collection, without the implicit _id index. */
async function indexKeys(connection: Connection, collection: string): Promise<string[]> {
  const exists = (await connection.db!.listCollections({ name: collection }).toArray()).length > 0;
  if (!exists) return [];
  const indexes = await connection.db!.collection(collection).indexes();
  return asKeys(indexes.filter((index) => index.name !== '_id_').map((index) => index.key));
}

describe('migrations', () => {
  const mongoUrl = isolatedMongoUrl('order-migrations');
  let connection: Connection;

  beforeAll(async () => {
    connection = await mongoose.createConnection(mongoUrl).asPromise();
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await connection?.close();
  });

  it('when migrated up, then exactly the indexes the models declare exist (the key index unique); when down, then they are gone', async () => {
    const models = [orderModel(connection), idempotencyKeyModel(connection), orderTransitionModel(connection)];

    const up = await runMigrations('up', { mongoUrl, migrationsDir });

    expect(up.files).toEqual(['20261122000001-initial-indexes.js', '20261201000001-kit-outbox-and-consumers.js']);
    for (const model of models) {
      const declared = asKeys(model.schema.indexes().map(([key]) => key));
      expect(await indexKeys(connection, model.collection.collectionName)).toEqual(declared);
    }
    for (const [collection, name] of [
      ['idempotency_keys', 'userId_1_key_1'],
      ['order_transitions', 'orderId_1_from_1'],
    ] as const) {
      const index = (await connection.db!.collection(collection).indexes()).find((i) => i.name === name);
      expect(index?.unique).toBe(true);
    }

    const undone = await migrateDownAll(migrationsDir, mongoUrl);

    expect(undone).toEqual(['20261201000001-kit-outbox-and-consumers.js', '20261122000001-initial-indexes.js']);
    for (const model of models) {
      expect(await indexKeys(connection, model.collection.collectionName)).toEqual([]);
    }
  });
});
