import type { FastifyInstance } from 'fastify';
import type { Component } from '@platform/local-infra';
import { isolatedMongoUrl, startPrivateRedis, waitFor } from '@platform/test-kit';
import { redis } from '../src/index';
import { mongo } from '../src/mongoose';
import { appWithLogs } from './helpers';

describe('health routes', () => {
  let privateRedis: Component;
  let app: FastifyInstance;

  beforeAll(async () => {
    privateRedis = await startPrivateRedis();
    ({ app } = await appWithLogs());
    await app.register(mongo, { url: isolatedMongoUrl('health') });
    await app.register(redis, { url: privateRedis.url });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await privateRedis.stop();
  });

  async function readiness(): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    return { status: res.statusCode, body: res.json() };
  }

  it('when the process is up, then /health/live answers 200 without touching dependencies', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: {} });
  });

  it('when every dependency answers, then /health/ready is 200 and lists them', async () => {
    expect(await readiness()).toEqual({
      status: 200,
      body: { status: 'ok', checks: { mongodb: { status: 'up' }, redis: { status: 'up' } } },
    });
  });

  it('when Redis stops, then readiness is 503 naming redis; when it returns, then 200 again', async () => {
    await privateRedis.stop();

    const down = await waitFor(
      async () => {
        const r = await readiness();
        return r.status === 503 ? r : undefined;
      },
      { what: 'readiness to report redis down' },
    );
    expect(down.body).toMatchObject({
      status: 'unavailable',
      checks: { mongodb: { status: 'up' }, redis: { status: 'down', error: expect.any(String) } },
    });

    await privateRedis.start();

    const up = await waitFor(
      async () => {
        const r = await readiness();
        return r.status === 200 ? r : undefined;
      },
      { what: 'readiness to recover' },
    );
    expect(up.body).toEqual({ status: 'ok', checks: { mongodb: { status: 'up' }, redis: { status: 'up' } } });
  });
});
