import type { FastifyInstance } from 'fastify';
import { startMetricsServer, type MetricsServer } from '../src/index';
import { appWithLogs } from './helpers';

describe('metrics', () => {
  let app: FastifyInstance;
  let server: MetricsServer;

  beforeAll(async () => {
    ({ app } = await appWithLogs());
    app.get('/orders/:id', async () => ({ id: 'x' }));
    await app.ready();
    server = await startMetricsServer(app.metrics, 0, '127.0.0.1');
  });

  afterAll(async () => {
    await server.close();
    await app.close();
  });

  it('when requests are served, then the histogram counts them by method, route template and status', async () => {
    await app.inject({ method: 'GET', url: '/orders/1' });
    await app.inject({ method: 'GET', url: '/orders/2' });
    await app.inject({ method: 'GET', url: '/missing' });

    const text = await app.metrics.metrics();
    expect(text).toContain(
      'http_request_duration_seconds_count{service="kit-test",method="GET",route="/orders/:id",status_code="200"} 2',
    );
    expect(text).not.toContain('route="/orders/1"');
    expect(text).toMatch(
      /http_request_duration_seconds_count\{service="kit-test",method="GET",route="unmatched",status_code="404"\} 1/,
    );
  });

  it('when Prometheus scrapes the internal port, then it gets default and HTTP metrics; the app port has no /metrics', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
    expect(body).toContain('http_request_duration_seconds_bucket');

    const onAppPort = await app.inject({ method: 'GET', url: '/metrics' });
    expect(onAppPort.statusCode).toBe(404);
  });
});
