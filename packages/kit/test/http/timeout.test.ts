import { AppError } from '../../src/errors/app-error';
import type { HttpClient } from '../../src/http';
import { buildTestClient, hang, metricValue, startUpstream, type TestUpstream } from './test-upstream';

describe('http client timeout', () => {
  let upstream: TestUpstream;
  let client: HttpClient | undefined;

  beforeEach(async () => {
    upstream = await startUpstream(hang);
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await upstream.close();
  });

  test('when the upstream never answers, then each attempt is cut at the timeout and the call fails with UPSTREAM_TIMEOUT', async () => {
    const built = buildTestClient(upstream, { timeoutMs: 100, retry: { attempts: 2 } });
    client = built.client;

    const error: unknown = await client.request({ method: 'GET', path: '/products/1' }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    expect(upstream.requests).toHaveLength(2);
    const timedOut = { method: 'GET', status_code: 'timeout' };
    expect(await metricValue(built.registry, 'upstream_request_duration_seconds_count', timedOut)).toBe(2);
  });

  test('when the upstream sends headers but never finishes the body, then the attempt still times out', async () => {
    upstream.answer(function startBodyAndStall(_req, res) {
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"id":');
    });
    client = buildTestClient(upstream, { timeoutMs: 100, retry: { attempts: 1 } }).client;

    const error: unknown = await client.request({ method: 'GET', path: '/products/1' }).catch((err: unknown) => err);

    expect(error).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
  });
});
