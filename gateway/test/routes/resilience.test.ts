import { waitFor } from '@platform/test-kit';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

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
