import type { ServerResponse } from 'node:http';
import { waitFor } from '@platform/test-kit';
import { AppError } from '../../src/errors/app-error';
import type { HttpClient } from '../../src/http';
import { buildTestClient, metricValue, startUpstream, type TestUpstream } from './test-upstream';

function getProduct(client: HttpClient, id: number): Promise<unknown> {
  return client.request({ method: 'GET', path: `/products/${id}` });
}

describe('http client bulkhead', () => {
  let upstream: TestUpstream;
  let client: HttpClient | undefined;
  // Answers held back so calls stay in flight until the test releases them.
  const held: ServerResponse[] = [];

  function releaseHeld(): void {
    for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }

  beforeEach(async () => {
    upstream = await startUpstream(function holdAnswer(_req, res) {
      held.push(res);
    });
  });

  afterEach(async () => {
    releaseHeld();
    await client?.close();
    client = undefined;
    await upstream.close();
  });

  test('when two calls are in flight and there is no queue, then a third is rejected without reaching the upstream', async () => {
    const built = buildTestClient(upstream, { bulkhead: { maxConcurrent: 2, maxQueue: 0 } });
    client = built.client;
    const inFlight = [getProduct(client, 1), getProduct(client, 2)];
    await waitFor(() => upstream.requests.length === 2, { intervalMs: 10, what: 'two calls in flight' });

    const error: unknown = await getProduct(client, 3).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE', headers: { 'retry-after': '1' } });
    expect(upstream.requests).toHaveLength(2);
    expect(await metricValue(built.registry, 'upstream_bulkhead_rejections_total')).toBe(1);
    releaseHeld();
    await expect(Promise.all(inFlight)).resolves.toEqual([
      expect.objectContaining({ status: 200 }),
      expect.objectContaining({ status: 200 }),
    ]);
  });

  test('when the slots are busy and the queue has room, then a call waits for a slot and succeeds', async () => {
    client = buildTestClient(upstream, { bulkhead: { maxConcurrent: 1, maxQueue: 1 } }).client;
    const first = getProduct(client, 1);
    await waitFor(() => upstream.requests.length === 1, { intervalMs: 10, what: 'the first call in flight' });
    const queued = getProduct(client, 2);

    const overflow: unknown = await getProduct(client, 3).catch((err: unknown) => err);
    expect(overflow).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });

    releaseHeld();
    await expect(first).resolves.toMatchObject({ status: 200 });
    await waitFor(() => upstream.requests.length === 2, { intervalMs: 10, what: 'the queued call to start' });
    releaseHeld();
    await expect(queued).resolves.toMatchObject({ status: 200 });
  });

  test('when a queued call finds no free slot within maxWaitMs, then it is shed with 503 and leaves the queue', async () => {
    const built = buildTestClient(upstream, { bulkhead: { maxConcurrent: 1, maxQueue: 2, maxWaitMs: 50 } });
    client = built.client;
    const first = getProduct(client, 1);
    await waitFor(() => upstream.requests.length === 1, { intervalMs: 10, what: 'the first call in flight' });

    const startedAt = Date.now();
    const waited: unknown = await getProduct(client, 2).catch((err: unknown) => err);

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(45);
    expect(waited).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE', headers: { 'retry-after': '1' } });
    expect(await metricValue(built.registry, 'upstream_bulkhead_rejections_total')).toBe(1);
    // The shed call left the queue: the next one waits in it and takes the slot when the first call frees it.
    const queued = getProduct(client, 3);
    releaseHeld();
    await expect(first).resolves.toMatchObject({ status: 200 });
    await waitFor(() => upstream.requests.length === 2, { intervalMs: 10, what: 'the queued call to start' });
    expect(upstream.requests[1]).toMatchObject({ url: '/products/3' });
    releaseHeld();
    await expect(queued).resolves.toMatchObject({ status: 200 });
  });
});
