import path from 'node:path';
import { runMigrations } from '@platform/kit';
import { isolatedMongoUrl } from '@platform/test-kit';
import mongoose from 'mongoose';

describe('migrations', () => {
  it('when applied and rolled back, then the processed-events unique index comes and goes', async () => {
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
      expect(await indexes()).toEqual([{ name: 'groupId_1_eventId_1', key: { groupId: 1, eventId: 1 }, unique: true }]);
      await runMigrations('down', { mongoUrl, migrationsDir });
      expect(await indexes()).toEqual([]);
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  });
});
