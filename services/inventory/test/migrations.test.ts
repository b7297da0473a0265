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
      '20261202000001-commit-confirmed-holds.js',
    ]);
    expect(await indexNames('stock')).toEqual(['_id_', 'sku_1']);
    expect(await indexNames('reservations')).toEqual([
      '_id_',
      'commitPending_1',
      'orderId_1',
      'outboxPending_1_outboxDueAt_1',
      'releasePending_1',
    ]);
    expect(await indexNames('processed_events')).toEqual(['_id_', 'processedAt_1']);
    const unique = (await connection.collection('stock').indexes()).find((index) => index.name === 'sku_1');
    expect(unique?.unique).toBe(true);

    const undone = await migrateDownAll(migrationsDir, mongoUrl);
    expect(undone).toEqual([
      '20261202000001-commit-confirmed-holds.js',
      '20261201000002-drop-reservation-expiry.js',
      '20261201000001-kit-outbox-and-consumers.js',
      '20261122000001-initial-indexes.js',
    ]);
    expect(await indexNames('stock')).toEqual(['_id_']);
    expect(await indexNames('reservations')).toEqual(['_id_']);
  });

  it('when migrated up, then confirmed orders leave their holds and others keep theirs; when migrated down, then they are back', async () => {
    const stock = connection.collection('stock');
    const reservations = connection.collection('reservations');
    await stock.deleteMany({});
    await reservations.deleteMany({});
    const confirmed = { orderId: 'order-confirmed', quantity: 2 };
    const inFlight = { orderId: 'order-reserved', quantity: 1 };
    await stock.insertOne({ sku: 'SKU-M', available: 7, reserved: 3, holds: [confirmed, inFlight] });
    await reservations.insertMany([
      { orderId: confirmed.orderId, status: 'CONFIRMED', lines: [{ sku: 'SKU-M', quantity: 2 }] },
      { orderId: inFlight.orderId, status: 'RESERVED', lines: [{ sku: 'SKU-M', quantity: 1 }] },
    ]);

    await runMigrations('up', { mongoUrl, migrationsDir });
    expect(await stock.findOne({ sku: 'SKU-M' })).toMatchObject({ available: 7, reserved: 3, holds: [inFlight] });

    await migrateDownAll(migrationsDir, mongoUrl);
    expect(await stock.findOne({ sku: 'SKU-M' })).toMatchObject({
      available: 7,
      reserved: 3,
      holds: [inFlight, confirmed],
    });
  });
});
