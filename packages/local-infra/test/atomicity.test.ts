import { MongoClient } from 'mongodb';
import { isolatedMongoUrl } from '@platform/test-kit';

/**
 * The platform relies on MongoDB's single-document atomicity (conditional stock updates, the outbox). The local
 * database (mongo-java-server) applies the writes of a collection one at a time; these races prove it holds, on
 * whatever database the tests run against (MONGO_URL: a real MongoDB as well).
 */
describe('MongoDB-protocol database: single-document atomicity', () => {
  let client: MongoClient;

  beforeAll(async () => {
    client = await MongoClient.connect(isolatedMongoUrl('atomicity'), { maxPoolSize: 50 });
  });

  afterAll(async () => {
    await client.db().dropDatabase();
    await client.close();
  });

  it('when 50 conditional decrements race for 10 units, then exactly 10 succeed and stock ends at 0', async () => {
    const stock = client.db().collection<{ _id: string; available: number }>('stock');
    await stock.insertOne({ _id: 'SKU-1', available: 10 });

    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        stock.findOneAndUpdate({ _id: 'SKU-1', available: { $gte: 1 } }, { $inc: { available: -1 } }),
      ),
    );

    expect(results.filter((r) => r !== null)).toHaveLength(10);
    expect(await stock.findOne({ _id: 'SKU-1' })).toEqual({ _id: 'SKU-1', available: 0 });
  });

  it('when 40 increments and pushes hit one document at once, then none is lost', async () => {
    const counters = client.db().collection<{ _id: string; n: number; log: number[] }>('counters');
    await counters.insertOne({ _id: 'c', n: 0, log: [] });

    await Promise.all(
      Array.from({ length: 40 }, (_, i) => counters.updateOne({ _id: 'c' }, { $inc: { n: 1 }, $push: { log: i } })),
    );

    const doc = await counters.findOne({ _id: 'c' });
    expect(doc?.n).toBe(40);
    expect(doc?.log).toHaveLength(40);
  });

  it('when a conditional delete races an update that breaks its condition, then exactly one of them applies', async () => {
    const tasks = client.db().collection<{ _id: number; status: string }>('tasks');
    await tasks.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, status: 'OPEN' })));

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const [updated, deleted] = await Promise.all([
          tasks.updateOne({ _id: i, status: 'OPEN' }, { $set: { status: 'TAKEN' } }),
          tasks.deleteOne({ _id: i, status: 'OPEN' }),
        ]);
        return updated.modifiedCount + deleted.deletedCount;
      }),
    );

    expect(outcomes).toEqual(Array.from({ length: 20 }, () => 1));
    const left = await tasks.find().toArray();
    expect(left.every((t) => t.status === 'TAKEN')).toBe(true);
  });

  it('when writes by _id and writes by another field hit one document at once, then none is lost', async () => {
    const stock = client.db().collection<{ _id: string; sku: string; n: number }>('mixed');
    await stock.insertMany([
      { _id: 'a', sku: 'A', n: 0 },
      { _id: 'b', sku: 'B', n: 0 },
    ]);

    await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        // By _id (a document lock), by sku (the collection's), and a findAndModify by _id, all interleaved.
        if (i % 3 === 0) return stock.updateOne({ _id: i % 2 ? 'a' : 'b' }, { $inc: { n: 1 } });
        if (i % 3 === 1) return stock.updateOne({ sku: i % 2 ? 'A' : 'B' }, { $inc: { n: 1 } });
        return stock.findOneAndUpdate({ _id: i % 2 ? 'a' : 'b', n: { $gte: 0 } }, { $inc: { n: 1 } });
      }),
    );

    expect(await stock.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', sku: 'A', n: 30 },
      { _id: 'b', sku: 'B', n: 30 },
    ]);
  });
});
