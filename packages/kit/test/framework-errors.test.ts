import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../src/index';
import { testConfig } from './helpers';

const securityHeaders = { 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' };

/** Sends bytes as they are (no client would send most of these) and returns the raw answer. */
function rawRequest(port: number, text: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
    });
  });
}

describe('framework errors', () => {
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    app = await createApp({ config: { ...testConfig, LOG_LEVEL: 'silent' }, responseHeaders: securityHeaders });
    app.get('/items/:id', async () => ({ ok: true }));
    app.post(
      '/items',
      {
        schema: {
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { name: { type: 'string', maxLength: 5 } },
          },
        },
      },
      async () => ({ ok: true }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  const cases = [
    { what: 'a malformed %-escape', request: 'GET /items/%zz HTTP/1.1', status: 400, code: 'INVALID_URL' },
    {
      what: 'a path parameter over the limit',
      request: `GET /items/${'a'.repeat(300)} HTTP/1.1`,
      status: 414,
      code: 'URI_TOO_LONG',
    },
    { what: 'an unknown method', request: 'FOO /items/1 HTTP/1.1', status: 501, code: 'METHOD_NOT_IMPLEMENTED' },
    { what: 'a garbled request line', request: 'GET /items/1 HTTP/9 x', status: 400, code: 'BAD_REQUEST' },
  ];

  it.each(cases)('when the request has $what, then $status $code as problem+json with the headers', async (c) => {
    const res = await rawRequest(port, `${c.request}\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(c.status);
    expect(res.headers).toContain('content-type: application/problem+json');
    expect(res.headers).toContain('x-frame-options: deny');
    expect(res.headers).toContain('x-request-id:');
    expect(JSON.parse(res.body)).toMatchObject({ status: c.status, code: c.code, requestId: expect.any(String) });
  });

  it('when the headers exceed the server limit, then 431 HEADERS_TOO_LARGE as problem+json with the headers', async () => {
    const res = await rawRequest(port, `GET /items/1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers).toContain('content-type: application/problem+json');
    expect(res.headers).toContain('x-content-type-options: nosniff');
    expect(JSON.parse(res.body)).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
  });

  it('when a route exists for other methods only, then 405 with Allow; an unknown path stays 404', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/items' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    const put = await app.inject({ method: 'PUT', url: '/items/7' });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD');
    expect((await app.inject({ method: 'GET', url: '/nothing' })).statusCode).toBe(404);
  });

  it('when the content type is not JSON, then 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/items',
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('when a large body is invalid everywhere, then the answer lists a few errors and stays small', async () => {
    const body = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`unknown-property-${i}`, 'x'.repeat(20)]));
    const payload = JSON.stringify(body);
    expect(payload.length).toBeGreaterThan(100_000);
    const big = await createApp({ config: { ...testConfig, LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: 1_000_000 } });
    big.post(
      '/items',
      { schema: { body: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' } } } } },
      async () => ({ ok: true }),
    );
    const res = await big.inject({
      method: 'POST',
      url: `/items?${'q'.repeat(5000)}`,
      headers: { 'content-type': 'application/json' },
      payload,
    });
    await big.close();
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(8 * 1024);
    const problem = res.json();
    expect(problem.errors).toHaveLength(5);
    expect(problem.detail).toContain('(and 2995 more)');
  });
});
