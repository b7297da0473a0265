import { MongoClient } from 'mongodb';
import { isolatedMongoUrl } from '@platform/test-kit';
import { createEvent, outboxEntry } from '@platform/kit';
import { outboxCommand } from '../../src/cli/outbox';

describe('npm run outbox', () => {
  const url = isolatedMongoUrl('outbox-cli');
  let client: MongoClient;

  beforeAll(async () => {
    client = await MongoClient.connect(url);
  });

  afterAll(async () => {
    await client?.db().dropDatabase();
    await client?.close();
  });

  async function run(...argv: string[]): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const code = await outboxCommand(argv, { env: { MONGO_URL: url }, out: (line) => lines.push(line) });
    return { code, lines };
  }

  it('when a document holds a parked entry, then parked lists it and requeue puts it back at the head of the outbox', async () => {
    const parked = {
      ...outboxEntry('orders', 'o-1', createEvent('order.created', {})),
      attempts: 8,
      error: 'too large',
      parkedAt: new Date(),
    };
    const behind = outboxEntry('orders', 'o-1', createEvent('order.confirmed', {}));
    await client
      .db()
      .collection('orders')
      .insertOne({ _id: 'o-1' as never, outbox: [behind], outboxParked: [parked] });

    const listed = await run('parked', 'orders');
    expect(listed.code).toBe(0);
    expect(listed.lines.map((line) => JSON.parse(line))).toEqual([
      { id: 'o-1', parked: [expect.objectContaining({ error: 'too large', attempts: 8 })] },
    ]);

    const requeued = await run('requeue', 'orders', 'o-1');
    expect(requeued).toEqual({ code: 0, lines: [JSON.stringify({ id: 'o-1', requeued: 1 })] });
    const doc = await client
      .db()
      .collection('orders')
      .findOne({ _id: 'o-1' as never });
    expect(doc?.outbox.map((e: { event: { id: string } }) => e.event.id)).toEqual([parked.event.id, behind.event.id]);
    expect(doc).toMatchObject({ outboxPending: true });
    expect(doc).not.toHaveProperty('outboxParked');
  });

  it('when MONGO_URL or the arguments are missing, then it prints the usage and exits 2', async () => {
    expect((await run('requeue', 'orders')).code).toBe(2);
    expect(await outboxCommand(['parked', 'orders'], { env: {}, out: () => undefined })).toBe(2);
  });
});
