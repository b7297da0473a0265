import { MongoClient, type Document } from 'mongodb';
import { isolatedMongoUrl } from '@platform/test-kit';

/**
 * The names of the indexes a query plan reads: MongoDB's IXSCAN stages, or the index scans in the PostgreSQL
 * plan FerretDB returns. The SQLite backend reports none (it reads whole collections).
 */
function indexesUsed(plan: unknown): string[] {
  if (Array.isArray(plan)) return plan.flatMap(indexesUsed);
  if (plan === null || typeof plan !== 'object') return [];
  const node = plan as Record<string, unknown>;
  const own =
    node.stage === 'IXSCAN'
      ? [String(node.indexName)]
      : typeof node['Index Name'] === 'string'
        ? [node['Index Name']]
        : [];
  return [...own, ...Object.values(node).flatMap(indexesUsed)];
}

/**
 * FerretDB 1.x on PostgreSQL pushes equality filters down to SQL; the project's PostgreSQL gives every index a GIN
 * sibling that such a filter can use (packages/local-infra/postgresql/index-siblings.sql). Without it, every query
 * (by _id too) scanned its whole table.
 */
describe('MongoDB-protocol database: indexes', () => {
  let client: MongoClient;

  beforeAll(async () => {
    client = await MongoClient.connect(isolatedMongoUrl('indexes'));
    const things = client.db().collection('things');
    await things.createIndex({ sku: 1 }, { unique: true });
    await things.insertMany(
      Array.from({ length: 2_000 }, (_, i) => ({ sku: `SKU-${i}`, colour: i % 2 ? 'red' : 'blue' })),
    );
  });

  afterAll(async () => {
    await client.db().dropDatabase();
    await client.close();
  });

  it('when a field has an index, then an equality find on it is answered from an index', async () => {
    const things = client.db().collection('things');
    const plan: Document = await things.find({ sku: 'SKU-42' }).explain();

    expect(indexesUsed(plan.queryPlanner)).not.toEqual([]);
    expect(await things.findOne({ sku: 'SKU-42' }, { projection: { _id: 0 } })).toEqual({
      sku: 'SKU-42',
      colour: 'blue',
    });
  });

  it('when a document is looked up by _id, then the _id index answers', async () => {
    const things = client.db().collection('things');
    const { _id } = (await things.findOne({ sku: 'SKU-7' }))!;

    const plan: Document = await things.find({ _id }).explain();

    expect(indexesUsed(plan.queryPlanner)).not.toEqual([]);
  });

  it('when a field has no index, then the same kind of find reads the collection', async () => {
    const plan: Document = await client.db().collection('things').find({ colour: 'red' }).explain();

    expect(indexesUsed(plan.queryPlanner)).toEqual([]);
  });
});
