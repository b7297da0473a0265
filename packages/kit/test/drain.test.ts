import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Pool } from 'undici';
import { waitFor } from '@platform/test-kit';
import { appWithLogs } from './helpers';

/** A real server built by the kit, and one keep-alive connection to it, as a Service's client holds. */
async function listeningApp(): Promise<{ app: FastifyInstance; pool: Pool }> {
  const { app } = await appWithLogs();
  app.get('/hello', async () => ({ hello: 'world' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, pool: new Pool(`http://127.0.0.1:${port}`, { connections: 1 }) };
}

async function get(pool: Pool, path: string): Promise<{ status: number; connection: unknown; body: unknown }> {
  const response = await pool.request({ method: 'GET', path });
  return { status: response.statusCode, connection: response.headers.connection, body: await response.body.json() };
}

describe('graceful shutdown: the drain before close', () => {
  let app: FastifyInstance;
  let pool: Pool;

  beforeEach(async () => {
    ({ app, pool } = await listeningApp());
  });

  afterEach(async () => {
    await pool.close();
    await app.close();
  });

  it('when the service runs, then answers keep the connection alive and it is ready', async () => {
    expect(await get(pool, '/hello')).toMatchObject({ status: 200, connection: 'keep-alive' });
    expect(await get(pool, '/health/ready')).toEqual({
      status: 200,
      connection: 'keep-alive',
      body: { status: 'ok', checks: {} },
    });
  });

  it('when draining, then readiness answers 503 and every answer closes its connection, while the service still serves', async () => {
    await get(pool, '/hello');
    const drained = app.drain(300);

    expect(await get(pool, '/health/ready')).toEqual({
      status: 503,
      connection: 'close',
      body: { status: 'unavailable', checks: { shutdown: { status: 'down', error: 'shutting down' } } },
    });
    // The client opens a new connection for the next request, and is served.
    expect(await get(pool, '/hello')).toEqual({ status: 200, connection: 'close', body: { hello: 'world' } });
    expect(await get(pool, '/hello')).toMatchObject({ status: 200, connection: 'close' });
    await drained;
  });

  it('when a client keeps sending through the drain, then no request fails and close() finds no connection to cut', async () => {
    const statuses: number[] = [];
    const errors: unknown[] = [];
    let sending = true;
    const client = (async () => {
      while (sending) {
        await get(pool, '/hello').then(
          (answer) => statuses.push(answer.status),
          (err: unknown) => errors.push(err),
        );
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));

    await app.drain(300);
    // The pod has left the endpoints by now: new connections go elsewhere.
    sending = false;
    await client;
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        app.server.getConnections((err, count) => (err ? reject(err) : resolve(count))),
      );

    expect(errors).toEqual([]);
    expect(statuses.length).toBeGreaterThan(2);
    expect(new Set(statuses)).toEqual(new Set([200]));
    // The last answer closed the last connection (the server sees it go a moment later).
    await waitFor(async () => (await connections()) === 0, { what: 'no connection left', timeoutMs: 2_000 });
  });
});
