import { AppError } from '../../src/errors/app-error';
import type { HttpClient, HttpRequest } from '../../src/http';
import { buildTestClient, dropConnection, metricValue, reply, startUpstream, type TestUpstream } from './test-upstream';

async function failure(client: HttpClient, request: HttpRequest): Promise<AppError> {
  const error: unknown = await client.request(request).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const getProduct: HttpRequest = { method: 'GET', path: '/products/1' };
const createOrder: HttpRequest = { method: 'POST', path: '/orders', body: { productId: '1' } };

describe('http client retries', () => {
  let upstream: TestUpstream;
  let client: HttpClient | undefined;

  beforeEach(async () => {
    upstream = await startUpstream(reply(503, { title: 'down' }));
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await upstream.close();
  });

  test('when the upstream keeps answering 503, then exactly `attempts` requests reach it and the call fails', async () => {
    const built = buildTestClient(upstream, { retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 10_000 } });
    client = built.client;

    const error = await failure(client, getProduct);

    expect(error).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
    expect(upstream.requests).toHaveLength(4);
    // Jitter fixed at 0.5: half of each ceiling 100, 200, 400.
    expect(built.delays).toEqual([50, 100, 200]);
    expect(await metricValue(built.registry, 'upstream_retries_total')).toBe(3);
  });

  test('when the jitter is at its top, then each delay stays under min(cap, base * 2^retry)', async () => {
    const retry = { attempts: 6, baseDelayMs: 100, maxDelayMs: 500 };
    const built = buildTestClient(upstream, { retry, random: () => 0.999 });
    client = built.client;

    await failure(client, getProduct);

    const ceilings = built.delays.map((_, retryIndex) =>
      Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** retryIndex),
    );
    expect(ceilings).toEqual([100, 200, 400, 500, 500]);
    built.delays.forEach((delay, retryIndex) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceilings[retryIndex] ?? 0);
    });
    expect(built.delays).toEqual([99, 199, 399, 499, 499]);
  });

  test('when the connection drops twice and then the upstream answers, then the call succeeds on the third attempt', async () => {
    upstream.answer(dropConnection, dropConnection, reply(200, { id: '1' }));
    const built = buildTestClient(upstream, { retry: { attempts: 3 } });
    client = built.client;

    const response = await client.request(getProduct);

    expect(response).toMatchObject({ status: 200, body: { id: '1' } });
    expect(upstream.requests).toHaveLength(3);
    expect(await metricValue(built.registry, 'upstream_retries_total')).toBe(2);
  });

  test('when the connection keeps dropping, then the call fails with UPSTREAM_UNAVAILABLE and a retry-after', async () => {
    upstream.answer(dropConnection);
    client = buildTestClient(upstream, { retry: { attempts: 2 } }).client;

    const error = await failure(client, getProduct);

    expect(error).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE', headers: { 'retry-after': '1' } });
    expect(upstream.requests).toHaveLength(2);
  });

  test('when a POST fails without being marked idempotent, then it is not retried', async () => {
    const built = buildTestClient(upstream, { retry: { attempts: 3 } });
    client = built.client;

    const error = await failure(client, createOrder);

    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(upstream.requests).toHaveLength(1);
    expect(built.delays).toEqual([]);
  });

  test.each<[string, Partial<HttpRequest>]>([
    ['an Idempotency-Key', { headers: { 'Idempotency-Key': 'order-42' } }],
    ['the idempotent flag', { idempotent: true }],
  ])('when a POST carries %s, then it is retried', async (_, marking) => {
    client = buildTestClient(upstream, { retry: { attempts: 3 } }).client;

    await failure(client, { ...createOrder, ...marking });

    expect(upstream.requests).toHaveLength(3);
    expect(upstream.requests.map((request) => request.body)).toEqual(Array(3).fill('{"productId":"1"}'));
  });

  test('when the upstream answers 500, then the call is not retried and fails with UPSTREAM_BAD_RESPONSE', async () => {
    upstream.answer(reply(500, { title: 'bug' }));
    client = buildTestClient(upstream, { retry: { attempts: 3 } }).client;

    const error = await failure(client, getProduct);

    expect(error).toMatchObject({ status: 502, code: 'UPSTREAM_BAD_RESPONSE' });
    expect(upstream.requests).toHaveLength(1);
  });

  test('when a 503 says Retry-After: 2 (within the limit), then the client waits 2 s before retrying', async () => {
    upstream.answer(reply(503, { title: 'busy' }, { 'retry-after': '2' }), reply(200, { id: '1' }));
    const built = buildTestClient(upstream, { retry: { attempts: 2, maxRetryAfterMs: 5_000 } });
    client = built.client;

    const response = await client.request(getProduct);

    expect(response.status).toBe(200);
    expect(built.delays).toEqual([2_000]);
  });

  test('when a 503 says Retry-After: 8 (beyond the limit, a breaker still open), then no retry: the 503 and its Retry-After are handed on at once', async () => {
    upstream.answer(reply(503, { title: 'busy' }, { 'retry-after': '8' }), reply(200, { id: '1' }));
    const built = buildTestClient(upstream, { retry: { attempts: 3, maxRetryAfterMs: 5_000 } });
    client = built.client;

    const error = await failure(client, getProduct);

    expect(error).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE', headers: { 'retry-after': '8' } });
    expect(built.delays).toEqual([]);
    expect(upstream.requests).toHaveLength(1);
  });

  test("when the retries run out on a 503 with Retry-After, then the error hands the upstream's retry-after on", async () => {
    upstream.answer(reply(503, { title: 'busy' }, { 'retry-after': '7' }));
    client = buildTestClient(upstream, { retry: { attempts: 2 } }).client;

    const error = await failure(client, getProduct);

    expect(error.headers['retry-after']).toBe('7');
  });
});
