import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import { createFerretDb, type Component } from '@platform/local-infra';
import { freePort } from '@platform/test-kit';

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
 * FerretDB 1.x on PostgreSQL (the local database until 2026-11-30, kept for the comparison in
 * docs/local-database.md) pushes equality filters down to SQL; the project's PostgreSQL gives every index a GIN
 * sibling that such a filter can use (packages/local-infra/postgresql/index-siblings.sql). Without it, every query
 * (by _id too) scanned its whole table.
 */
describe('FerretDB on PostgreSQL: indexes', () => {
  let runDir: string;
  let database: Component;
  let client: MongoClient;

  beforeAll(async () => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferretdb-indexes-'));
    // PostgreSQL runs as its own system user when tests run as root: it must be able to enter the folder.
    fs.chmodSync(runDir, 0o755);
    database = createFerretDb({
      useEnv: false,
      port: await freePort(),
      runDir,
      postgres: { port: await freePort(), runDir: path.join(runDir, 'postgresql') },
    });
    await database.start();
    client = await MongoClient.connect(`${database.url}indexes`);
    const things = client.db().collection('things');
    await things.createIndex({ sku: 1 }, { unique: true });
    await things.insertMany(
      Array.from({ length: 2_000 }, (_, i) => ({ sku: `SKU-${i}`, colour: i % 2 ? 'red' : 'blue' })),
    );
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await database?.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  }, 60_000);

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
