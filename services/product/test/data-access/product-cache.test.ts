import { Redis } from 'ioredis';
import type { Component } from '@platform/local-infra';
import { metricValue, startPrivateRedis, uniqueName, waitFor } from '@platform/test-kit';
import { createProductCache } from '../../src/data-access/product-cache';
import type { ProductCache } from '../../src/domain/ports';
import type { Product } from '../../src/domain/product';
import { startTestApp, type TestApp } from '../helpers/app';
import { seedProduct } from '../helpers/products';

function product(version: number, priceMinor: number): Product {
  const at = new Date('2026-03-01T10:00:00.000Z');
  return {
    id: 'b'.repeat(24),
    sku: 'CACHE-01',
    name: 'Cached',
    description: '',
    category: 'c',
    priceMinor,
    currency: 'EUR',
    version,
    createdAt: at,
    updatedAt: at,
  };
}

describe('product cache', () => {
  // A Redis of this file's own, so it can be stopped and paused without disturbing other test files.
  let redisServer: Component;
  let t: TestApp;
  let admin: Redis;

  beforeAll(async () => {
    redisServer = await startPrivateRedis();
    t = await startTestApp('product-cache', { REDIS_URL: redisServer.url, CACHE_TIMEOUT_MS: '200' });
    admin = new Redis(redisServer.url);
  });

  afterAll(async () => {
    admin?.disconnect();
    await t?.close();
    await redisServer?.stop();
  });

  const cacheErrors = (lookup: string) =>
    metricValue(t.app.metrics, 'product_cache_requests_total', { lookup, result: 'error' });
  const directCache = (): ProductCache =>
    createProductCache({
      redis: t.app.redis,
      keyPrefix: `${uniqueName('direct')}:`,
      ttlSeconds: 60,
      listTtlSeconds: 60,
      timeoutMs: 200,
      log: { warn: () => undefined },
      onLookup: () => undefined,
    });

  it('when a slow reader stores an older version after a write stored a newer one, then the newer one stays', async () => {
    const cache = directCache();

    await cache.put(product(2, 200));
    await cache.put(product(1, 100));

    expect(await cache.get({ by: 'id', id: 'b'.repeat(24) })).toEqual({ state: 'present', product: product(2, 200) });
    expect(await cache.get({ by: 'sku', sku: 'CACHE-01' })).toEqual({ state: 'present', product: product(2, 200) });
  });

  it('when a deleted product is cached, then an older version cannot bring it back', async () => {
    const cache = directCache();
    await cache.put(product(1, 100));

    await cache.putDeleted(product(2, 100));
    await cache.put(product(1, 100));

    expect(await cache.get({ by: 'id', id: 'b'.repeat(24) })).toEqual({ state: 'deleted' });
  });

  it('when Redis stops answering (paused), then reads time out of the cache and are served from the database', async () => {
    const product = await seedProduct(t.app, t.adminToken, { priceMinor: 4321 });
    const errorsBefore = await cacheErrors('id');
    // Far longer than the 200 ms cache timeout, so a slow, loaded machine cannot let the pause end before the read.
    await admin.call('CLIENT', 'PAUSE', '10000', 'ALL');
    try {
      const response = await t.app.inject({ method: 'GET', url: `/products/${product.id}` });

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ priceMinor: 4321 });
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
    }
    expect(await cacheErrors('id')).toBe(errorsBefore + 1);
  });

  it('when Redis is down, then reads are served from the database and counted as cache errors; when it returns, caching resumes', async () => {
    const product = await seedProduct(t.app, t.adminToken, { name: 'Resilient' });
    const before = { id: await cacheErrors('id'), sku: await cacheErrors('sku'), list: await cacheErrors('list') };
    admin.disconnect();
    await redisServer.stop();

    const byId = await t.app.inject({ method: 'GET', url: `/products/${product.id}` });
    const bySku = await t.app.inject({ method: 'GET', url: `/products/sku/${product.sku}` });
    const list = await t.app.inject({ method: 'GET', url: `/products?q=resilient` });

    expect([byId.statusCode, bySku.statusCode, list.statusCode]).toEqual([200, 200, 200]);
    expect(byId.json()).toMatchObject({ name: 'Resilient' });
    expect(list.json<{ items: unknown[] }>().items).toHaveLength(1);
    expect(await cacheErrors('id')).toBe(before.id + 1);
    expect(await cacheErrors('sku')).toBe(before.sku + 1);
    expect(await cacheErrors('list')).toBe(before.list + 1);

    await redisServer.start();
    admin = new Redis(redisServer.url);
    await waitFor(() => t.app.redis.status === 'ready', { what: 'the app to reconnect to Redis' });
    const hitsBefore = await metricValue(t.app.metrics, 'product_cache_requests_total', {
      lookup: 'id',
      result: 'hit',
    });
    await t.app.inject({ method: 'GET', url: `/products/${product.id}` });
    await t.app.inject({ method: 'GET', url: `/products/${product.id}` });
    expect(await metricValue(t.app.metrics, 'product_cache_requests_total', { lookup: 'id', result: 'hit' })).toBe(
      hitsBefore + 1,
    );
  }, 60_000);
});
