import type { ServerResponse } from 'node:http';
import { waitFor } from '@platform/test-kit';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { json } from '../helpers/stub-service';

async function metricValue(gw: TestGateway, name: string, upstream: string): Promise<number | undefined> {
  const metric = await gw.app.metrics.getSingleMetric(name)?.get();
  return metric?.values.find((v) => v.labels.upstream === upstream)?.value;
}

describe('when an upstream is down', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      UPSTREAM_RETRY_ATTEMPTS: '1',
      BREAKER_VOLUME_THRESHOLD: '3',
      BREAKER_RESET_TIMEOUT_MS: '1000',
    });
  });
  afterAll(() => gw.close());

  it('then clients get 503 problem+json with Retry-After, the breaker opens, and it recovers when the service returns', async () => {
    await gw.stubs.product.stop();

    const first = await gw.app.inject({ method: 'GET', url: '/api/v1/products' });
    expect(first.statusCode).toBe(503);
    expect(first.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(first.headers['retry-after']).toMatch(/^\d+$/);
    expect(first.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });

    // Enough failures for the breaker's volume threshold; then calls are refused without a connection attempt.
    const open = await waitFor(
      async () => {
        const response = await gw.app.inject({ method: 'GET', url: '/api/v1/products' });
        return response.json<{ detail: string }>().detail.includes('circuit open') && response;
      },
      { what: 'the product breaker to open' },
    );
    expect(open.statusCode).toBe(503);
    expect(Number(open.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await metricValue(gw, 'upstream_breaker_state', 'product')).toBe(2);
    expect(await metricValue(gw, 'upstream_breaker_rejections_total', 'product')).toBeGreaterThan(0);

    // Other upstreams are unaffected.
    expect((await gw.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).statusCode).toBe(200);

    await gw.stubs.product.restart();
    await waitFor(async () => (await gw.app.inject({ method: 'GET', url: '/api/v1/products' })).statusCode === 200, {
      what: 'the product breaker to close again',
    });
    expect(await metricValue(gw, 'upstream_breaker_state', 'product')).toBe(0);
  });

  it('then a service that hangs answers 504 within the timeout, not never', async () => {
    gw.stubs.order.handle(() => undefined);
    const token = await gw.issuer.token({ userId: 'a'.repeat(24) });
    const response = await gw.app.inject({
      method: 'GET',
      url: '/api/v1/orders',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(504);
    expect(response.json()).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });
});

describe('when every slot to an upstream is busy (UPSTREAM_MAX_CONCURRENT)', () => {
  let gw: TestGateway;
  // The product service's answers, held back so the calls stay in flight until the test lets them go.
  const held: ServerResponse[] = [];

  function releaseHeld(): void {
    for (const res of held.splice(0)) json(res, 200, { items: [] });
  }

  beforeAll(async () => {
    gw = await startTestGateway({
      UPSTREAM_MAX_CONCURRENT: '1',
      UPSTREAM_MAX_QUEUED: '1',
      UPSTREAM_QUEUE_TIMEOUT_MS: '300',
    });
    gw.stubs.product.handle((_request, res) => held.push(res));
  });
  afterAll(async () => {
    releaseHeld();
    await gw.close();
  });

  const list = (page: number) => gw.app.inject({ method: 'GET', url: `/api/v1/products?page=${page}` });

  it('then a call waits in the queue for the slot, one more is shed at once, and one that waits too long is shed', async () => {
    const first = list(1);
    await waitFor(() => held.length === 1, { what: 'the first call at the service' });
    const queued = list(2);
    await waitFor(async () => (await metricValue(gw, 'upstream_bulkhead_queued', 'product')) === 1, {
      what: 'the second call in the queue',
    });

    const shed = await list(3);
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', detail: 'product: too many calls in flight' });

    releaseHeld();
    expect((await first).statusCode).toBe(200);
    await waitFor(() => held.length === 1, { what: 'the queued call at the service' });
    expect(await metricValue(gw, 'upstream_bulkhead_queued', 'product')).toBe(0);
    releaseHeld();
    expect((await queued).statusCode).toBe(200);

    // The slot stays busy past the queue's timeout: the waiting call gives up with the same 503.
    const slow = list(4);
    await waitFor(() => held.length === 1, { what: 'a call holding the slot' });
    const startedAt = Date.now();
    const timedOut = await list(5);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(timedOut.statusCode).toBe(503);
    expect(timedOut.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(await metricValue(gw, 'upstream_bulkhead_rejections_total', 'product')).toBe(2);
    releaseHeld();
    expect((await slow).statusCode).toBe(200);
    expect(gw.stubs.product.requests.filter((r) => r.url.startsWith('/products?'))).toHaveLength(3);
  });
});
