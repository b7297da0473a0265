import { MongoClient } from 'mongodb';
import { runMigrations } from '@platform/kit';
import { isolatedMongoUrl, migrateDownAll } from '@platform/test-kit';
import { migrationsDir } from './helpers/app';

describe('migrations', () => {
  const mongoUrl = isolatedMongoUrl('user-migrations');
  let client: MongoClient;

  beforeAll(async () => {
    client = await MongoClient.connect(mongoUrl);
  });

  afterAll(async () => {
    await client.db().dropDatabase();
    await client.close();
  });

  const indexNames = async (collection: string) =>
    (await client.db().collection(collection).indexes()).map((index) => index.name).sort();

  it('when migrated up, then the indexes the models declare exist; when migrated down, then they are gone', async () => {
    await runMigrations('up', { mongoUrl, migrationsDir });

    expect(await indexNames('users')).toEqual([
      '_id_',
      'created_desc',
      'email_unique',
      'outboxPending_1_outboxDueAt_1',
      'role_created_desc',
    ]);
    expect(await indexNames('refresh_tokens')).toEqual(['_id_', 'family', 'token_hash_unique', 'user_expiry']);
    const emailIndex = (await client.db().collection('users').indexes()).find((i) => i.name === 'email_unique');
    expect(emailIndex).toMatchObject({ unique: true, key: { email: 1 } });

    const undone = await migrateDownAll(migrationsDir, mongoUrl);

    expect(undone).toEqual(['20261201000001-kit-outbox.js', '20261122000001-initial-indexes.js']);
    expect(await indexNames('users')).toEqual(['_id_']);
    expect(await indexNames('refresh_tokens')).toEqual(['_id_']);
  });
});
