import { MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { isolatedMongoUrl, startPrivateMongo } from '@platform/test-kit';

/**
 * The local database (mongo-java-server) answers queries from the indexes its wrapper adds: non-unique indexes kept
 * in memory, unique ones used for queries that filter on more than their keys (packages/local-infra/mongo-server).
 * An index may only narrow what the collection scans, never change an answer: every query below runs against an
 * indexed collection and an identical one without indexes, and both must return the same documents. Runs on
 * whatever database the tests use (MONGO_URL: a real MongoDB as well).
 */

interface Thing {
  _id: number;
  status?: string | null;
  at?: Date;
  v?: unknown;
  s?: number;
  code?: string;
}

const day = (n: number) => new Date(Date.UTC(2026, 10, n));

/** Values under `v` of every kind an index must order or set aside: mixed numbers, arrays, nulls, sub-documents. */
const values: unknown[] = [
  1,
  5,
  5.0,
  2.5,
  -0,
  Number.MAX_SAFE_INTEGER,
  'x',
  'm',
  '',
  day(3),
  day(9),
  true,
  false,
  null,
  undefined,
  [1, 5],
  [0, 10],
  [],
  [[1]],
  ['x', null],
  { a: 1 },
  new ObjectId('64b000000000000000000001'),
];

function things(): Thing[] {
  return values.map((v, i) => {
    const thing: Thing = { _id: i, status: ['A', 'B', 'C', null][i % 4], at: day(1 + (i % 10)), code: `c${i}` };
    if (v !== undefined) thing.v = v;
    if (i % 3 === 0) thing.s = i;
    if (i % 7 === 0) delete thing.status;
    return thing;
  });
}

const queries: Document[] = [
  { status: 'A' },
  { status: 'A', at: { $lt: day(5) } },
  { status: { $in: ['A', 'B'] } },
  { status: { $in: ['A', null] } },
  { status: null },
  { status: { $eq: 'B' } },
  { status: { $ne: 'A' } },
  { status: /^[AB]$/ },
  { status: 'A', $or: [{ v: 1 }, { v: 'x' }] },
  { v: 5 },
  { v: 1 },
  { v: 0 },
  { v: { $gt: 2 } },
  { v: { $gte: 2, $lt: 6 } },
  { v: { $gt: 1, $lt: 3 } },
  { v: { $lte: 5 } },
  { v: { $lt: 'n' } },
  { v: { $gt: day(5) } },
  { v: { $gte: new ObjectId('64b000000000000000000000') } },
  { v: null },
  { v: true },
  { v: 'x' },
  { v: { $in: [1, 'x', null] } },
  { v: { $in: [[1]] } },
  { v: [1, 5] },
  { v: { a: 1 } },
  { v: { $exists: false } },
  { s: 3 },
  { s: null },
  { s: { $gt: 5 } },
  { _id: 3, status: 'C' },
  { _id: 3, status: 'A' },
  { _id: { $in: [1, 2] }, status: 'B' },
  { code: 'c6', status: 'C' },
  { code: 'c6', v: { $exists: true } },
];

async function ids(collection: Collection<Thing>, query: Document): Promise<number[]> {
  const docs = await collection.find(query, { projection: { _id: 1 } }).toArray();
  return docs.map((doc) => doc._id).sort((a, b) => a - b);
}

async function expectSameAnswers(indexed: Collection<Thing>, plain: Collection<Thing>): Promise<void> {
  for (const query of queries) {
    const expected = await ids(plain, query);
    await expect({ query, ids: await ids(indexed, query) }).toEqual({ query, ids: expected });
    expect(await indexed.countDocuments(query)).toBe(expected.length);
  }
}

async function createIndexes(collection: Collection<Thing>): Promise<void> {
  await collection.createIndex({ status: 1, at: -1 });
  await collection.createIndex({ v: 1 });
  await collection.createIndex({ s: 1 }, { sparse: true });
  await collection.createIndex({ code: 1 }, { unique: true });
}

describe('MongoDB-protocol database: indexes narrow, never change, an answer', () => {
  let client: MongoClient;
  let indexed: Collection<Thing>;
  let plain: Collection<Thing>;

  beforeAll(async () => {
    client = await MongoClient.connect(isolatedMongoUrl('secondary_indexes'));
    indexed = client.db().collection<Thing>('indexed');
    plain = client.db().collection<Thing>('plain');
    await createIndexes(indexed);
    await indexed.insertMany(things());
    await plain.insertMany(things());
  });

  afterAll(async () => {
    await client.db().dropDatabase();
    await client.close();
  });

  it('when documents hold every kind of value, then each query finds the same documents as a collection scan', async () => {
    await expectSameAnswers(indexed, plain);
  });

  it('when indexed fields change and documents go, then the answers follow', async () => {
    for (const collection of [indexed, plain]) {
      await collection.updateMany({ status: 'A' }, { $set: { status: 'B', v: 7 } });
      await collection.updateOne({ _id: 5 }, { $unset: { v: '' }, $set: { s: 100 } });
      await collection.updateOne({ _id: 6 }, { $set: { v: [2, 3] } });
      await collection.deleteMany({ v: { $gte: 5, $lt: 8 } });
      await collection.findOneAndDelete({ status: 'C' }, { sort: { at: 1 } });
      await collection.insertOne({ _id: 100, status: 'A', v: 5, at: day(2) });
    }
    await expectSameAnswers(indexed, plain);
  });

  it('when a query has a range on an indexed field and no sort, then documents come in the order of the index', async () => {
    // A collection scan returns them in insertion order (descending here); only an index read sorts them.
    const ordered = client.db().collection<{ _id: number; n: number }>('ordered');
    await ordered.createIndex({ n: 1 });
    await ordered.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, n: 50 - i })));

    const docs = await ordered.find({ n: { $gt: 10 } }).toArray();

    expect(docs.map((doc) => doc.n)).toEqual(Array.from({ length: 40 }, (_, i) => 11 + i));
  });
});

describe('the local database: indexes after a restart', () => {
  it('when the server restarts, then its in-memory indexes are rebuilt from the stored documents and can be dropped', async () => {
    const database = await startPrivateMongo();
    try {
      const connect = () => MongoClient.connect(`${database.url}restart`);
      let client = await connect();
      await createIndexes(client.db().collection<Thing>('indexed'));
      await client.db().collection<Thing>('indexed').insertMany(things());
      await client.db().collection<Thing>('plain').insertMany(things());
      await client.close();

      await database.stop();
      await database.start();

      client = await connect();
      try {
        const collection = client.db().collection<Thing>('indexed');
        expect((await collection.indexes()).map((index: Document) => index.name).sort()).toEqual(
          ['_id_', 'code_1', 's_1', 'status_1_at_-1', 'v_1'].sort(),
        );
        await expectSameAnswers(collection, client.db().collection<Thing>('plain'));

        await collection.dropIndex('v_1');
        await collection.dropIndex('code_1');
        await expectSameAnswers(collection, client.db().collection<Thing>('plain'));
        await createIndexes(collection);
        await expectSameAnswers(collection, client.db().collection<Thing>('plain'));
      } finally {
        await client.close();
      }
    } finally {
      await database.stop();
    }
  }, 120_000);
});
