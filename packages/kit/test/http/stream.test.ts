import type { ServerResponse } from 'node:http';
import { AppError } from '../../src/errors/app-error';
import type { HttpClient } from '../../src/http';
import { buildTestClient, metricValue, reply, startUpstream, type TestUpstream } from './test-upstream';

describe('http client in streaming mode', () => {
  let upstream: TestUpstream;
  let client: HttpClient | undefined;

  beforeEach(async () => {
    upstream = await startUpstream(reply(200, { ok: true }));
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await upstream.close();
  });

  test('when the answer starts, then it resolves with the body unread while the upstream is still writing it', async () => {
    let finish: (() => void) | undefined;
    upstream.answer(function writeSlowly(_req, res: ServerResponse) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part;');
      finish = () => res.end('second part');
    });
    client = buildTestClient(upstream).client;

    const response = await client.stream({ method: 'GET', path: '/slow' });

    expect(response.status).toBe(200);
    const firstChunk = await new Promise<string>((resolve) =>
      response.body!.once('data', (c: Buffer) => resolve(c.toString())),
    );
    expect(firstChunk).toBe('first part;');
    finish!();
    let rest = '';
    for await (const chunk of response.body!) rest += String(chunk);
    expect(rest).toBe('second part');
  });

  test('when a body is still being read, then it holds its bulkhead slot; once read, the slot is free again', async () => {
    const { client: streaming, registry } = buildTestClient(upstream, { bulkhead: { maxConcurrent: 1, maxQueue: 0 } });
    client = streaming;

    const first = await client.stream({ method: 'GET', path: '/a' });
    await expect(client.stream({ method: 'GET', path: '/b' })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(await metricValue(registry, 'upstream_bulkhead_rejections_total')).toBe(1);

    await first.body!.text();
    await new Promise((resolve) => setImmediate(resolve));
    const second = await client.stream({ method: 'GET', path: '/b' });
    expect(await second.body!.text()).toBe('{"ok":true}');
  });

  test('when the answer has no body (HEAD, 204, 304), then none is handed over and the slot is free at once', async () => {
    client = buildTestClient(upstream, { bulkhead: { maxConcurrent: 1, maxQueue: 0 } }).client;
    upstream.answer(reply(304, undefined, { etag: '"v1"', 'content-length': '42' }));
    const notModified = await client.stream({ method: 'GET', path: '/p', headers: { 'if-none-match': '"v1"' } });
    expect(notModified).toMatchObject({ status: 304, body: undefined, headers: { etag: '"v1"' } });

    upstream.answer(reply(204));
    expect((await client.stream({ method: 'DELETE', path: '/p' })).body).toBeUndefined();
    upstream.answer(reply(200, { ok: true }));
    expect((await client.stream({ method: 'HEAD', path: '/p' })).body).toBeUndefined();
  });

  test('when an idempotent call meets a 503, then it is retried before any answer is handed over', async () => {
    upstream.answer(reply(503, { down: true }), reply(200, { ok: true }));
    client = buildTestClient(upstream).client;

    const response = await client.stream({ method: 'GET', path: '/p' });

    expect(response.status).toBe(200);
    expect(await response.body!.text()).toBe('{"ok":true}');
    expect(upstream.requests).toHaveLength(2);
  });

  test("when a POST meets a 503, then it is not retried and the upstream's own answer is handed over, body and all", async () => {
    const problem = { type: 'about:blank', status: 503, code: 'ORDER_BACKLOG_FULL' };
    upstream.answer(reply(503, problem, { 'retry-after': '2' }), reply(200, { ok: true }));
    client = buildTestClient(upstream, { bulkhead: { maxConcurrent: 1, maxQueue: 0 } }).client;

    const response = await client.stream({ method: 'POST', path: '/orders', body: '{}' });

    expect(response).toMatchObject({ status: 503, headers: { 'retry-after': '2' } });
    expect(response.body).toBeUndefined();
    expect(JSON.parse(String(response.bytes))).toEqual(problem);
    expect(upstream.requests).toHaveLength(1);
    // Read whole: its bulkhead slot is free at once.
    expect((await client.stream({ method: 'GET', path: '/p' })).status).toBe(200);
  });

  test('when retries are spent on 503s, then the last answer is handed over', async () => {
    upstream.answer(reply(503, { attempt: 1 }), reply(503, { attempt: 2 }));
    client = buildTestClient(upstream, { retry: { attempts: 2 } }).client;

    const response = await client.stream({ method: 'GET', path: '/p' });

    expect(response.status).toBe(503);
    expect(JSON.parse(String(response.bytes))).toEqual({ attempt: 2 });
    expect(upstream.requests).toHaveLength(2);
  });

  test("when an error answer has no body, then the client's own problem instead", async () => {
    upstream.answer(reply(503));
    client = buildTestClient(upstream, { retry: { attempts: 1 } }).client;

    await expect(client.stream({ method: 'POST', path: '/p', body: '{}' })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
    });
  });

  test("when an error answer is too large to hold, then the client's own problem instead (502 for a 500)", async () => {
    upstream.answer(reply(500, 'x'.repeat(20_000)));
    client = buildTestClient(upstream, { retry: { attempts: 1 } }).client;

    const failure = await client.stream({ method: 'GET', path: '/p' }).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', status: 502 });
  });

  test('when the answer does not start within the timeout, then UPSTREAM_TIMEOUT', async () => {
    upstream.answer(function hang() {});
    client = buildTestClient(upstream, { timeoutMs: 300, retry: { attempts: 1 } }).client;

    await expect(client.stream({ method: 'GET', path: '/p' })).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });
});
