import { objectIdHex, waitFor } from '@platform/test-kit';
import { startOrderApp, type TestApp } from '../helpers/app';

describe('idempotency key sweeper', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startOrderApp({ IDEMPOTENCY_KEY_RETENTION_HOURS: '1', IDEMPOTENCY_SWEEP_INTERVAL_MS: '1000' });
  });

  afterAll(async () => {
    await t?.app.close();
  });

  it('when a key is older than the retention, then the sweeper purges it and keeps the recent ones', async () => {
    const keys = t.app.mongo.collection('idempotency_keys');
    const record = (key: string, createdAt: Date) => ({
      userId: objectIdHex(),
      key,
      requestHash: 'h',
      orderId: objectIdHex(),
      state: 'COMPLETED',
      leaseOwner: 'test',
      leaseUntil: createdAt,
      createdAt,
    });
    await keys.insertMany([
      record('expired-key', new Date(Date.now() - 2 * 3_600_000)),
      record('recent-key', new Date(Date.now() - 60_000)),
    ]);

    await waitFor(async () => (await keys.countDocuments({ key: 'expired-key' })) === 0, { what: 'the purge' });
    expect(await keys.countDocuments({ key: 'recent-key' })).toBe(1);
  });
});
