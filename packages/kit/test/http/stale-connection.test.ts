import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AppError } from '../../src/errors/app-error';
import type { HttpClient } from '../../src/http';
import { buildTestClient, dropConnection, metricValue, startUpstream, type TestUpstream } from './test-upstream';

/**
 * An upstream that answers the first request on each connection and closes the connection when the next request
 * arrives on it: what a server closing an idle kept-alive connection (its keep-alive timeout, a graceful shutdown)
 * does to a client that wrote onto it at that moment. `fin` closes it (the client sees "other side closed"),
 * `reset` resets it (ECONNRESET).
 */
function closeReusedConnections(how: 'fin' | 'reset') {
  const served = new WeakSet<Socket>();
  return function answerOncePerConnection(req: IncomingMessage, res: ServerResponse) {
    if (served.has(req.socket)) {
      if (how === 'reset') req.socket.resetAndDestroy();
      else req.socket.destroy();
      return;
    }
    served.add(req.socket);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  };
}

/**
 * A first call leaves a kept-alive connection in the pool. undici marks the connection free again only on the
 * next turn of the event loop; a call sent before that would open a second connection instead of reusing it.
 */
async function primeConnection(client: HttpClient): Promise<void> {
  await client.request({ method: 'GET', path: '/products' });
  await nextTurn();
}

describe('http client on a kept-alive connection the upstream closed', () => {
  let upstream: TestUpstream;
  let client: HttpClient | undefined;

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await upstream.close();
  });

  test.each(['fin', 'reset'] as const)(
    'when the upstream closes (%s) the connection a GET goes out on, then the GET is sent again at once on a new connection, without spending a retry',
    async (how) => {
      upstream = await startUpstream(closeReusedConnections(how));
      const test = buildTestClient(upstream, { retry: { attempts: 1 } });
      client = test.client;

      await primeConnection(client);
      const response = await client.request({ method: 'GET', path: '/products' });

      expect(response.status).toBe(200);
      expect(upstream.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
      expect(test.delays).toEqual([]);
      expect(await metricValue(test.registry, 'upstream_retries_total')).toBe(1);
      expect(client.breakerState()).toBe('closed');
    },
  );

  test('when the same happens to an SSE-style stream, then it is sent again too', async () => {
    upstream = await startUpstream(closeReusedConnections('fin'));
    client = buildTestClient(upstream, { retry: { attempts: 1 } }).client;

    await primeConnection(client);
    const response = await client.stream({ method: 'GET', path: '/events' });

    expect(response.status).toBe(200);
    expect(await response.body?.text()).toBe('{"ok":true}');
    expect(upstream.requests).toHaveLength(3);
  });

  test('when it happens to a POST without an idempotency key, then it is not sent again', async () => {
    upstream = await startUpstream(closeReusedConnections('fin'));
    client = buildTestClient(upstream, { retry: { attempts: 1 } }).client;

    await primeConnection(client);
    const failed = client.request({ method: 'POST', path: '/orders', body: { sku: 'A' } });

    await expect(failed).rejects.toBeInstanceOf(AppError);
    await expect(failed).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(upstream.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  test('when it happens to a POST with an idempotency key, then it is sent again', async () => {
    upstream = await startUpstream(closeReusedConnections('reset'));
    client = buildTestClient(upstream, { retry: { attempts: 1 } }).client;

    await primeConnection(client);
    const response = await client.request({
      method: 'POST',
      path: '/orders',
      body: { sku: 'A' },
      headers: { 'idempotency-key': 'k-1' },
    });

    expect(response.status).toBe(200);
    expect(upstream.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'POST']);
  });

  test('when a new connection is closed before its first answer, then only the retry policy decides', async () => {
    upstream = await startUpstream(dropConnection);
    const test = buildTestClient(upstream, { retry: { attempts: 1 } });
    client = test.client;

    await expect(client.request({ method: 'GET', path: '/products' })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(upstream.requests).toHaveLength(1);
    expect(await metricValue(test.registry, 'upstream_retries_total')).toBe(0);
  });
});
