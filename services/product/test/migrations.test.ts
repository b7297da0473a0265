import { MongoClient } from 'mongodb';
import { runMigrations } from '@platform/kit';
import { isolatedMongoUrl, migrateDownAll } from '@platform/test-kit';
import { productSchema } from '../src/data-access/product-model';
import { migrationsDir } from './helpers/app';

describe('migrations', () => {
  const mongoUrl = isolatedMongoUrl('product-migrations');
  let client: MongoClient;

  beforeAll(async () => {
    client = await MongoClient.connect(mongoUrl);
  });

  afterAll(async () => {
    await client?.db().dropDatabase();
    await client?.close();
  });

  const indexNames = async () => (await client.db().collection('products').indexes()).map((index) => index.name).sort();

  it('when migrated up, then the products indexes exist (sku unique); when migrated down, then they are gone', async () => {
    await runMigrations('up', { mongoUrl, migrationsDir });

    expect(await indexNames()).toEqual(
      [
        '_id_',
        'category_createdAt_id',
        'createdAt_id',
        'nameKey_id',
        'outboxPending_1_outboxDueAt_1',
        'priceMinor_id',
        'sku_unique',
      ].sort(),
    );
    const sku = (await client.db().collection('products').indexes()).find((index) => index.name === 'sku_unique');
    expect(sku).toMatchObject({ key: { sku: 1 }, unique: true });

    await migrateDownAll(migrationsDir, mongoUrl);

    expect(await indexNames()).toEqual(['_id_']);
  });

  it('when compared with the model, then the migrations create exactly the indexes the model declares', async () => {
    const declared = productSchema
      .indexes()
      .map(([key, options]) => ({ key, name: options.name as string, unique: options.unique === true }));
    await runMigrations('up', { mongoUrl, migrationsDir });

    const created = (await client.db().collection('products').indexes())
      .filter((index) => index.name !== '_id_')
      .map((index) => ({ key: index.key, name: index.name as string, unique: index.unique === true }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(created.sort(byName)).toEqual(declared.sort(byName));
  });
});
