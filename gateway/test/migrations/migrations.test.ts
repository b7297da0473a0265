import path from 'node:path';
import { runMigrations } from '@platform/kit';
import { isolatedMongoUrl, migrateDownAll } from '@platform/test-kit';
import mongoose from 'mongoose';

describe('migrations', () => {
  it('when applied, then the processed-event marks have their pruning index (keyed by _id); when rolled back, then it is gone', async () => {
    const mongoUrl = isolatedMongoUrl('gateway');
    const migrationsDir = path.join(__dirname, '..', '..', 'migrations');
    const connection = await mongoose.createConnection(mongoUrl).asPromise();
    const indexes = async () => {
      const list = await connection
        .db!.collection('processed_events')
        .indexes()
        .catch(() => []);
      return list.filter((index) => index.name !== '_id_').map(({ name, key, unique }) => ({ name, key, unique }));
    };
    try {
      await runMigrations('up', { mongoUrl, migrationsDir });
      expect(await indexes()).toEqual([{ name: 'processedAt_1', key: { processedAt: 1 }, unique: undefined }]);
      await migrateDownAll(migrationsDir, mongoUrl);
      expect(await indexes()).toEqual([]);
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  });
});
