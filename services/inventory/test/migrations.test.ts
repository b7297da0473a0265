import mongoose from 'mongoose';
import { runMigrations } from '@platform/kit';
import { isolatedMongoUrl, migrateDownAll } from '@platform/test-kit';
import { migrationsDir } from './helpers/service';

describe('migrations', () => {
  const mongoUrl = isolatedMongoUrl('inventory-migrations');
  let connection: mongoose.Connection;

  beforeAll(async () => {
    connection = await mongoose.createConnection(mongoUrl).asPromise();
  });
  afterAll(async () => {
    await connection?.dropDatabase();
    await connection?.close();
  });

  const indexNames = async (collection: string) =>
    (await connection.collection(collection).indexes()).map((index) => index.name).sort();

  it('when migrated up, then the indexes the models declare exist; when migrated down, then they are gone', async () => {
    const up = await runMigrations('up', { mongoUrl, migrationsDir });
    expect(up.files).toEqual([
      '20261122000001-initial-indexes.js',
      '20261201000001-kit-outbox-and-consumers.js',
      '20261201000002-drop-reservation-expiry.js',
    ]);
    expect(await indexNames('stock')).toEqual(['_id_', 'sku_1']);
    expect(await indexNames('reservations')).toEqual([
      '_id_',
      'orderId_1',
      'outboxPending_1_outboxDueAt_1',
      'releasePending_1',
    ]);
    expect(await indexNames('processed_events')).toEqual(['_id_', 'processedAt_1']);
    const unique = (await connection.collection('stock').indexes()).find((index) => index.name === 'sku_1');
    expect(unique?.unique).toBe(true);

    const undone = await migrateDownAll(migrationsDir, mongoUrl);
    expect(undone).toEqual([
      '20261201000002-drop-reservation-expiry.js',
      '20261201000001-kit-outbox-and-consumers.js',
      '20261122000001-initial-indexes.js',
    ]);
    expect(await indexNames('stock')).toEqual(['_id_']);
    expect(await indexNames('reservations')).toEqual(['_id_']);
  });
});
