import zlib from 'node:zlib';
import { metricValue, objectIdHex } from '@platform/test-kit';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { json, type StubHandler } from '../helpers/stub-service';

/** A product answer as the product service marks it: shared caches may keep it `sMaxAge` seconds. */
function catalogue(sMaxAge: number, extra: Record<string, string> = {}): StubHandler {
  let served = 0;
  return (req, res) => {
    served += 1;
    if (req.method !== 'GET') return json(res, 201, { ok: true });
    json(
      res,
      200,
      { url: req.url, served },
      { etag: `"v${served}"`, 'cache-control': `public, max-age=0, s-maxage=${sMaxAge}`, ...extra },
    );
  };
}

describe('edge cache', () => {
  let gw: TestGateway;
  let adminToken: string;

  beforeAll(async () => {
    gw = await startTestGateway({ EDGE_CACHE_MAX_ENTRY_KB: '1', COMPRESSION_THRESHOLD_BYTES: '200' });
    adminToken = await gw.issuer.token({ userId: objectIdHex(), role: 'admin' });
  });
  afterAll(() => gw.close());

  const get = (url: string, headers: Record<string, string> = {}) => gw.app.inject({ method: 'GET', url, headers });
  const patch = (url: string) =>
    gw.app.inject({ method: 'PATCH', url, headers: { authorization: `Bearer ${adminToken}` }, payload: { name: 'x' } });
  /** Requests that reached the product service for this URL (its path below /api/v1). */
  const reached = (url: string) => gw.stubs.product.requests.filter((r) => `/api/v1${r.url}` === url).length;
  const outcomes = (outcome: string) =>
    metricValue(gw.app.metrics, 'gateway_cache_requests_total', { upstream: 'product', outcome });

  it('when the service marks an answer for shared caches, then the next GET is answered by the gateway with its age', async () => {
    gw.stubs.product.handle(catalogue(60));
    const url = `/api/v1/products/${objectIdHex()}`;
    const hitsBefore = await outcomes('hit');

    const first = await get(url);
    const second = await get(url);

    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-status']).toBe('gateway; fwd=miss; stored');
    expect(second.statusCode).toBe(200);
    expect(second.headers['cache-status']).toMatch(/^gateway; hit; ttl=(59|60)$/);
    expect(second.body).toBe(first.body);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(second.headers.age).toMatch(/^\d+$/);
    // The edge's own headers are on a cached answer as on a forwarded one.
    expect(second.headers['x-content-type-options']).toBe('nosniff');
    expect(second.headers['x-request-id']).toBeDefined();
    expect(reached(url)).toBe(1);
    expect((await outcomes('hit')) - hitsBefore).toBe(1);
  });

  it("when a stored answer is sent again, then its bytes are exactly the service's: non-ASCII text, a BOM, invalid UTF-8", async () => {
    const bodies = [
      Buffer.from(JSON.stringify({ name: 'Crème brûlée ☕ 🍰' })),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"bom":true}')]),
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    ];
    for (const body of bodies) {
      gw.stubs.product.handle((_req, res) =>
        res
          .writeHead(200, {
            'content-type': 'application/json; charset=utf-8',
            'content-length': String(body.length),
            'cache-control': 'public, s-maxage=60',
          })
          .end(body),
      );
      const url = `/api/v1/products/${objectIdHex()}`;
      await get(url);
      const hit = await get(url);
      expect(hit.headers['cache-status']).toMatch(/^gateway; hit/);
      expect(hit.rawPayload.equals(body)).toBe(true);
      expect(hit.headers['content-length']).toBe(String(body.length));
    }
  });

  it('when a client accepts br or gzip, then a stored text answer above the threshold is sent compressed, encoded once for all hits; a smaller one, or one for a client that does not accept it, as it is', async () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ id: i, name: `product number ${i}`, priceMinor: 1999 }));
    const large = JSON.stringify({ items });
    gw.stubs.product.handle((req, res) => {
      const body = req.url.includes('small') ? '{"items":[]}' : large;
      res
        .writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(body)),
          'cache-control': 'public, s-maxage=60',
        })
        .end(body);
    });
    const url = `/api/v1/products?page=${objectIdHex()}`;
    await get(url);
    const brotli = jest.spyOn(zlib, 'brotliCompressSync');
    try {
      const first = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
      const again = await get(url, { 'accept-encoding': 'br;q=1, gzip;q=0.5' });
      const gzip = await get(url, { 'accept-encoding': 'x-gzip' });
      const plain = await get(url);

      expect(first.headers['cache-status']).toMatch(/^gateway; hit/);
      expect(first.headers['content-encoding']).toBe('br');
      expect(first.headers['content-length']).toBe(String(first.rawPayload.length));
      expect(first.headers.vary).toMatch(/accept-encoding/i);
      expect(zlib.brotliDecompressSync(first.rawPayload).toString()).toBe(large);
      expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
      expect(brotli).toHaveBeenCalledTimes(1);
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(zlib.gunzipSync(gzip.rawPayload).toString()).toBe(large);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body).toBe(large);
      expect(reached(url)).toBe(1);

      const small = `/api/v1/products?small=${objectIdHex()}`;
      await get(small);
      const smallHit = await get(small, { 'accept-encoding': 'br' });
      expect(smallHit.headers['cache-status']).toMatch(/^gateway; hit/);
      expect(smallHit.headers['content-encoding']).toBeUndefined();
      expect(smallHit.body).toBe('{"items":[]}');
    } finally {
      brotli.mockRestore();
    }
  });

  it('when the service does not mark an answer for shared caches, then every GET reaches it', async () => {
    const unmarked = [
      '',
      'no-store',
      'private, max-age=60',
      'public, max-age=0, s-maxage=0',
      'no-cache',
      // Every use would need a revalidation, which this cache does not make.
      'public, s-maxage=60, must-revalidate',
    ];
    for (const cacheControl of unmarked) {
      gw.stubs.product.handle((req, res) =>
        json(res, 200, { url: req.url }, cacheControl ? { 'cache-control': cacheControl } : {}),
      );
      const url = `/api/v1/products/${objectIdHex()}`;
      await get(url);
      const again = await get(url);
      expect({ cacheControl, status: again.headers['cache-status'], reached: reached(url) }).toEqual({
        cacheControl,
        status: 'gateway; fwd=miss',
        reached: 2,
      });
    }
  });

  it('when a request carries a token or a condition, then the service answers it, not the cache', async () => {
    gw.stubs.product.handle(catalogue(60));
    const url = `/api/v1/products/${objectIdHex()}`;
    const stored = await get(url);
    const token = await gw.issuer.token({ userId: objectIdHex() });

    const authenticated = await get(url, { authorization: `Bearer ${token}` });
    const conditional = await get(url, { 'if-none-match': stored.headers.etag as string });

    expect(authenticated.headers['cache-status']).toBe('gateway; fwd=bypass');
    expect(conditional.headers['cache-status']).toBe('gateway; fwd=bypass');
    expect(reached(url)).toBe(3);
  });

  it('when the client asks for a fresh answer, then the service is asked and its answer replaces the stored one', async () => {
    gw.stubs.product.handle(catalogue(60));
    const url = `/api/v1/products/${objectIdHex()}`;
    await get(url);

    const fresh = await get(url, { 'cache-control': 'no-cache' });
    const after = await get(url);

    expect(fresh.headers['cache-status']).toBe('gateway; fwd=miss; stored');
    expect(after.headers['cache-status']).toMatch(/^gateway; hit/);
    expect(after.json()).toEqual(fresh.json());
    expect(reached(url)).toBe(2);
  });

  it('when the answer goes stale, then the next GET reaches the service again', async () => {
    gw.stubs.product.handle(catalogue(1));
    const url = `/api/v1/products/${objectIdHex()}`;
    await get(url);
    expect((await get(url)).headers['cache-status']).toMatch(/^gateway; hit/);

    await new Promise((resolve) => setTimeout(resolve, 2_100));

    expect((await get(url)).headers['cache-status']).toBe('gateway; fwd=miss; stored');
    expect(reached(url)).toBe(2);
  });

  it('when a write to the service succeeds, then every answer of that service is asked for again; a refused one changes nothing', async () => {
    gw.stubs.product.handle(catalogue(60));
    const byId = `/api/v1/products/${objectIdHex()}`;
    const page = `/api/v1/products?limit=3&sort=${objectIdHex()}`;
    await Promise.all([get(byId), get(page)]);

    gw.stubs.product.handle((_req, res) => json(res, 409, { code: 'CONFLICT' }));
    const refused = await patch(byId);
    expect(refused.statusCode).toBe(409);
    gw.stubs.product.handle(catalogue(60));
    expect((await get(byId)).headers['cache-status']).toMatch(/^gateway; hit/);

    const accepted = await patch(byId);
    expect(accepted.statusCode).toBe(201);

    expect((await get(byId)).headers['cache-status']).toBe('gateway; fwd=miss; stored');
    expect((await get(page)).headers['cache-status']).toBe('gateway; fwd=miss; stored');
  });

  it('when the answer varies on a request header, then a request with another value of it is a miss', async () => {
    gw.stubs.product.handle(catalogue(60, { vary: 'accept-language' }));
    const url = `/api/v1/products/${objectIdHex()}`;
    await get(url, { 'accept-language': 'de' });

    expect((await get(url, { 'accept-language': 'de' })).headers['cache-status']).toMatch(/^gateway; hit/);
    expect((await get(url, { 'accept-language': 'fr' })).headers['cache-status']).toBe('gateway; fwd=miss; stored');
    expect(reached(url)).toBe(2);
  });

  it('when an answer is larger than EDGE_CACHE_MAX_ENTRY_KB, then it streams through and is not kept', async () => {
    gw.stubs.product.handle((req, res) =>
      json(res, 200, { url: req.url, filler: 'x'.repeat(2_000) }, { 'cache-control': 'public, s-maxage=60' }),
    );
    const url = `/api/v1/products/${objectIdHex()}`;

    const first = await get(url);
    await get(url);

    expect(first.json()).toMatchObject({ filler: 'x'.repeat(2_000) });
    expect(first.headers['cache-status']).toBe('gateway; fwd=miss');
    expect(reached(url)).toBe(2);
  });
});

describe('edge cache, bounded and switched off', () => {
  it('when more answers arrive than EDGE_CACHE_MAX_MB holds, then the least recently used ones go', async () => {
    // About 20 KiB: each entry counts its body plus a fixed 1 KiB allowance.
    const gw = await startTestGateway({ EDGE_CACHE_MAX_MB: String(20 / 1024) });
    try {
      gw.stubs.product.handle(catalogue(60));
      const urls = Array.from({ length: 40 }, () => `/api/v1/products/${objectIdHex()}`);
      for (const url of urls) await gw.app.inject({ method: 'GET', url });

      const oldest = await gw.app.inject({ method: 'GET', url: urls[0]! });
      const newest = await gw.app.inject({ method: 'GET', url: urls.at(-1)! });

      expect(oldest.headers['cache-status']).toBe('gateway; fwd=miss; stored');
      expect(newest.headers['cache-status']).toMatch(/^gateway; hit/);
    } finally {
      await gw.close();
    }
  });

  it('when EDGE_CACHE_MAX_MB is 0, then every GET reaches the service and no Cache-Status is sent', async () => {
    const gw = await startTestGateway({ EDGE_CACHE_MAX_MB: '0' });
    try {
      gw.stubs.product.handle(catalogue(60));
      const url = `/api/v1/products/${objectIdHex()}`;
      await gw.app.inject({ method: 'GET', url });
      const again = await gw.app.inject({ method: 'GET', url });

      expect(again.headers['cache-status']).toBeUndefined();
      expect(gw.stubs.product.requests.filter((r) => r.url === url.slice('/api/v1'.length))).toHaveLength(2);
    } finally {
      await gw.close();
    }
  });
});
