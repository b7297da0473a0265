import type { FastifyInstance } from 'fastify';
import type { Component } from '@platform/local-infra';
import { isolatedMongoUrl, startPrivateRedis, waitFor } from '@platform/test-kit';
import { redis } from '../src/index';
import { createHealthRegistry } from '../src/health';
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

  it('when Redis stops, then readiness stays 200 and lists redis down; when it returns, then up again', async () => {
    await privateRedis.stop();

    const down = await waitFor(
      async () => {
        const r = await readiness();
        return (r.body.checks as Record<string, { status: string }>).redis?.status === 'down' ? r : undefined;
      },
      { what: 'readiness to report redis down' },
    );
    expect(down).toEqual({
      status: 200,
      body: {
        status: 'ok',
        checks: { mongodb: { status: 'up' }, redis: { status: 'down', error: expect.any(String) } },
      },
    });

    await privateRedis.start();

    const up = await waitFor(
      async () => {
        const r = await readiness();
        return (r.body.checks as Record<string, { status: string }>).redis?.status === 'up' ? r : undefined;
      },
      { what: 'readiness to list redis up again' },
    );
    expect(up).toEqual({
      status: 200,
      body: { status: 'ok', checks: { mongodb: { status: 'up' }, redis: { status: 'up' } } },
    });
  });
});

describe('health registry', () => {
  it('when a deciding check fails, then the report is unavailable; a failing check that does not decide leaves it ok', async () => {
    const registry = createHealthRegistry(100);
    registry.register('cache', () => Promise.reject(new Error('cache away')), { decides: false });
    expect(await registry.check()).toEqual({
      status: 'ok',
      checks: { cache: { status: 'down', error: 'cache away' } },
    });

    registry.register('database', () => new Promise(() => undefined));
    expect(await registry.check()).toEqual({
      status: 'unavailable',
      checks: {
        cache: { status: 'down', error: 'cache away' },
        database: { status: 'down', error: 'no answer within 100 ms' },
      },
    });
  });
});
