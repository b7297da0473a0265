import mongoose, { type Connection } from 'mongoose';
import { runMigrations } from '@platform/kit';
import { isolatedMongoUrl, migrateDownAll } from '@platform/test-kit';
import { idempotencyKeyModel } from '../src/data-access/idempotency-key-model';
import { orderModel } from '../src/data-access/order-model';
import { migrationsDir } from './helpers/app';

/** Index keys as JSON (field order matters in an index), sorted, so two lists compare as sets. */
const asKeys = (keys: Array<Record<string, unknown>>): string[] => keys.map((key) => JSON.stringify(key)).sort();

/** Filtered here rather than by listCollections' filter, which mongo-java-server (the local database) ignores. */
async function collectionNames(connection: Connection): Promise<string[]> {
  return (await connection.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
}

/** The indexes of a collection, without the implicit _id index. */
async function indexKeys(connection: Connection, collection: string): Promise<string[]> {
  const exists = (await collectionNames(connection)).includes(collection);
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
    const models = [orderModel(connection), idempotencyKeyModel(connection)];

    const up = await runMigrations('up', { mongoUrl, migrationsDir });

    expect(up.files).toEqual([
      '20261122000001-initial-indexes.js',
      '20261201000001-kit-outbox-and-consumers.js',
      '20261202000001-history-on-the-order.js',
    ]);
    for (const model of models) {
      const declared = asKeys(model.schema.indexes().map(([key]) => key));
      expect(await indexKeys(connection, model.collection.collectionName)).toEqual(declared);
    }
    const index = (await connection.db!.collection('idempotency_keys').indexes()).find(
      (i) => i.name === 'userId_1_key_1',
    );
    expect(index?.unique).toBe(true);
    expect(await indexKeys(connection, 'order_transitions')).toEqual([]);

    const undone = await migrateDownAll(migrationsDir, mongoUrl);

    expect(undone).toEqual([
      '20261202000001-history-on-the-order.js',
      '20261201000001-kit-outbox-and-consumers.js',
      '20261122000001-initial-indexes.js',
    ]);
    for (const model of models) {
      expect(await indexKeys(connection, model.collection.collectionName)).toEqual([]);
    }
  });

  it("when migrated up, then the logged transitions become the orders' histories; when down, then the log is back", async () => {
    await runMigrations('up', { mongoUrl, migrationsDir });
    await migrateDownAll(migrationsDir, mongoUrl);
    const orders = connection.db!.collection('orders');
    const log = connection.db!.collection('order_transitions');
    await orders.deleteMany({});
    await log.deleteMany({});
    const order = new mongoose.Types.ObjectId();
    const [confirmedAt, cancelledAt] = [new Date('2026-11-01T10:00:00Z'), new Date('2026-11-01T11:00:00Z')];
    await orders.insertOne({ _id: order, status: 'CANCELLED', userId: 'u' });
    await log.insertMany([
      { orderId: order.toHexString(), from: 'CONFIRMED', to: 'CANCELLED', events: [], decidedAt: cancelledAt },
      { orderId: order.toHexString(), from: 'PENDING', to: 'CONFIRMED', events: [], decidedAt: confirmedAt },
    ]);

    await runMigrations('up', { mongoUrl, migrationsDir });
    expect(await orders.findOne({ _id: order })).toMatchObject({
      history: [
        { from: 'PENDING', to: 'CONFIRMED', at: confirmedAt },
        { from: 'CONFIRMED', to: 'CANCELLED', at: cancelledAt },
      ],
    });
    expect(await collectionNames(connection)).not.toContain('order_transitions');

    await migrateDownAll(migrationsDir, mongoUrl);
    expect(await orders.findOne({ _id: order })).not.toHaveProperty('history');
    expect(
      (await log.find({}, { sort: { decidedAt: 1 } }).toArray()).map(({ from, to, decidedAt }) => ({
        from,
        to,
        decidedAt,
      })),
    ).toEqual([
      { from: 'PENDING', to: 'CONFIRMED', decidedAt: confirmedAt },
      { from: 'CONFIRMED', to: 'CANCELLED', decidedAt: cancelledAt },
    ]);
  });
});
