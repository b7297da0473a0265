import { Registry } from 'prom-client';
import { freePort } from '@platform/test-kit';
import { AppError } from '../../src/errors/app-error';
import { createHttpClient, type HttpClient } from '../../src/http';
import { buildTestClient, reply, startUpstream, type TestUpstream } from './test-upstream';

describe('http client requests and responses', () => {
  let upstream: TestUpstream;
  let client: HttpClient | undefined;

  beforeEach(async () => {
    upstream = await startUpstream(reply(200, { id: '1', name: 'Lamp' }));
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await upstream.close();
  });

  test('when the base URL has a path, then requests go under it with the query string', async () => {
    client = buildTestClient(upstream, { baseUrl: `${upstream.url}/api/` }).client;

    await client.request({ method: 'GET', path: '/products', query: { page: 2, tag: 'a b', skip: undefined } });

    expect(upstream.requests[0]?.url).toBe('/api/products?page=2&tag=a+b');
  });

  test('when a body is an object, then it is sent as JSON with the caller headers', async () => {
    client = buildTestClient(upstream).client;

    await client.request({
      method: 'PUT',
      path: '/products/1',
      body: { name: 'Lamp' },
      headers: { 'x-request-id': 'req-1' },
    });

    expect(upstream.requests[0]).toMatchObject({
      method: 'PUT',
      body: '{"name":"Lamp"}',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' },
    });
  });

  test('when the upstream answers JSON, then the body is parsed; when it answers text, then the body is the text', async () => {
    client = buildTestClient(upstream).client;
    expect(await client.getJson('/products/1')).toEqual({ id: '1', name: 'Lamp' });

    upstream.answer(reply(200, 'plain'));
    expect((await client.request({ method: 'GET', path: '/health' })).body).toBe('plain');

    upstream.answer(reply(204));
    expect((await client.request({ method: 'DELETE', path: '/products/1' })).body).toBeUndefined();
  });

  test('when getJson gets a 404, then it fails with UPSTREAM_BAD_RESPONSE while request returns the 404', async () => {
    upstream.answer(reply(404, { title: 'not found' }));
    client = buildTestClient(upstream).client;

    await expect(client.request({ method: 'GET', path: '/products/9' })).resolves.toMatchObject({ status: 404 });
    const error: unknown = await client.getJson('/products/9').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 502, code: 'UPSTREAM_BAD_RESPONSE' });
  });

  test('when the upstream sends malformed JSON, then the call fails with UPSTREAM_BAD_RESPONSE', async () => {
    upstream.answer(function sendBrokenJson(_req, res) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":');
    });
    client = buildTestClient(upstream).client;

    await expect(client.getJson('/products/1')).rejects.toMatchObject({ status: 502, code: 'UPSTREAM_BAD_RESPONSE' });
  });

  test('when two clients share a registry, then each reports under its own upstream label', async () => {
    const registry = new Registry();
    const first = createHttpClient({ name: 'product', baseUrl: upstream.url, registry });
    const second = createHttpClient({ name: 'inventory', baseUrl: upstream.url, registry });

    const text = await registry.metrics();
    await Promise.all([first.close(), second.close()]);

    expect(text).toContain('upstream_breaker_state{upstream="product"} 0');
    expect(text).toContain('upstream_breaker_state{upstream="inventory"} 0');
  });

  test('when nothing listens at the upstream address, then UPSTREAM_UNAVAILABLE with retry-after', async () => {
    // Node's own ECONNREFUSED error, which comes from another realm under jest: recognised by its code alone.
    client = buildTestClient(upstream, { baseUrl: `http://127.0.0.1:${await freePort()}` }).client;

    await expect(client.request({ method: 'GET', path: '/products/1' })).rejects.toMatchObject({
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
      headers: { 'retry-after': '1' },
    });
  });
});
