import pino from 'pino';
import { waitFor } from '@platform/test-kit';
import { AppError } from '../../src/errors/app-error';
import type { HttpClient } from '../../src/http';
import { buildTestClient, metricValue, reply, startUpstream, type TestUpstream } from './test-upstream';

// No retries: each call is one attempt, so the breaker's counts map one-to-one onto calls.
const breaker = { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeout: 200, rollingCountTimeout: 10_000 };

async function failedCall(client: HttpClient): Promise<AppError> {
  const error: unknown = await client.request({ method: 'GET', path: '/products/1' }).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('http client circuit breaker', () => {
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

  test('when the upstream fails past the threshold, then the breaker opens and later calls fail fast without reaching it', async () => {
    const built = buildTestClient(upstream, { breaker, retry: { attempts: 1 } });
    client = built.client;

    for (let call = 0; call < 3; call += 1) await failedCall(client);
    expect(client.breakerState()).toBe('open');

    const rejected = await failedCall(client);
    expect(upstream.requests).toHaveLength(3);
    expect(rejected).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
    expect(rejected.headers['retry-after']).toBe('1');
    expect(await metricValue(built.registry, 'upstream_breaker_state')).toBe(2);
    expect(await metricValue(built.registry, 'upstream_breaker_opens_total')).toBe(1);
    expect(await metricValue(built.registry, 'upstream_breaker_rejections_total')).toBe(1);
  });

  test('when the reset timeout has passed and the probe succeeds, then the breaker half-opens and then closes', async () => {
    const logs: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const built = buildTestClient(upstream, { breaker, retry: { attempts: 1 }, logger });
    client = built.client;
    for (let call = 0; call < 3; call += 1) await failedCall(client);

    await waitFor(() => built.client.breakerState() === 'half-open', {
      intervalMs: 20,
      what: 'the breaker to half-open',
    });
    expect(await metricValue(built.registry, 'upstream_breaker_state')).toBe(1);

    upstream.answer(reply(200, { id: '1' }));
    const response = await client.request({ method: 'GET', path: '/products/1' });

    expect(response).toMatchObject({ status: 200, body: { id: '1' } });
    expect(client.breakerState()).toBe('closed');
    expect(await metricValue(built.registry, 'upstream_breaker_state')).toBe(0);
    expect(logs.map(({ level, msg }) => [level, msg])).toEqual([
      [40, expect.stringContaining('opened')],
      [40, expect.stringContaining('half-open')],
      [40, expect.stringContaining('closed')],
    ]);
  });

  test('when the half-open probe fails, then the breaker opens again', async () => {
    const built = buildTestClient(upstream, { breaker, retry: { attempts: 1 } });
    client = built.client;
    for (let call = 0; call < 3; call += 1) await failedCall(client);
    await waitFor(() => built.client.breakerState() === 'half-open', {
      intervalMs: 20,
      what: 'the breaker to half-open',
    });

    await failedCall(client);

    expect(upstream.requests).toHaveLength(4);
    expect(client.breakerState()).toBe('open');
    expect(await metricValue(built.registry, 'upstream_breaker_opens_total')).toBe(2);
  });

  test('when the breaker is open, then retry-after says how many seconds remain until it lets a probe through', async () => {
    client = buildTestClient(upstream, {
      breaker: { ...breaker, resetTimeout: 30_000 },
      retry: { attempts: 1 },
    }).client;
    for (let call = 0; call < 3; call += 1) await failedCall(client);

    const rejected = await failedCall(client);

    const seconds = Number(rejected.headers['retry-after']);
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThanOrEqual(30);
  });

  test.each([400, 404, 409, 422])('when the upstream answers %i, then the breaker stays closed', async (status) => {
    upstream.answer(reply(status, { title: 'client error' }));
    const built = buildTestClient(upstream, { breaker: { ...breaker, volumeThreshold: 2 }, retry: { attempts: 1 } });
    client = built.client;

    for (let call = 0; call < 5; call += 1) {
      const response = await client.request({ method: 'GET', path: '/products/1' });
      expect(response.status).toBe(status);
    }

    expect(upstream.requests).toHaveLength(5);
    expect(client.breakerState()).toBe('closed');
    expect(await metricValue(built.registry, 'upstream_breaker_opens_total')).toBe(0);
  });

  test('when the upstream answers 429 without Retry-After, then it counts as a failure and the breaker opens', async () => {
    upstream.answer(reply(429, { title: 'slow down' }));
    client = buildTestClient(upstream, { breaker, retry: { attempts: 1 } }).client;

    for (let call = 0; call < 3; call += 1) await failedCall(client);

    expect(client.breakerState()).toBe('open');
  });

  test.each([429, 503])(
    'when the upstream sheds with %i and Retry-After, then the caller gets 503 with it and the breaker stays closed',
    async (status) => {
      upstream.answer(reply(status, { title: 'busy' }, { 'retry-after': '2' }));
      const built = buildTestClient(upstream, { breaker, retry: { attempts: 1 } });
      client = built.client;

      for (let call = 0; call < 5; call += 1) {
        const rejected = await failedCall(client);
        expect(rejected).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
        expect(rejected.headers['retry-after']).toBe('2');
      }

      expect(upstream.requests).toHaveLength(5);
      expect(client.breakerState()).toBe('closed');
      expect(await metricValue(built.registry, 'upstream_breaker_opens_total')).toBe(0);
    },
  );
});
