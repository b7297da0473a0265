import { randomInt } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { metricValue, objectIdHex, startPrivateRedis, uniqueName, waitFor } from '@platform/test-kit';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

/** A client address of this test run's own: the counters live in the shared Redis. */
function randomClientIp(): string {
  return `10.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(1, 255)}`;
}

/** The answer's `RateLimit` field (`"<policy>";r=<remaining>;t=<seconds>`), its parts as sent. */
function rateLimit(response: LightMyRequestResponse): { policy?: string; remaining?: string; reset?: string } {
  const match = /^"(\w+)";r=(\d+);t=(\d+)$/.exec(String(response.headers.ratelimit));
  return match ? { policy: match[1], remaining: match[2], reset: match[3] } : {};
}

function login(gw: TestGateway, email: string, remoteAddress: string) {
  return gw.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email, password: 'x' } });
}

describe('credential rate limit', () => {
  let first: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    first = await startTestGateway({ AUTH_RATE_LIMIT_MAX: '5' });
    // A second replica: same Redis and services, its own process.
    second = await startTestGateway({ AUTH_RATE_LIMIT_MAX: '5' }, { stubs: first.stubs, issuer: first.issuer });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  it('when two replicas share Redis, then together they allow exactly 5 logins per IP and account, then 429', async () => {
    const ip = randomClientIp();
    const email = `${uniqueName('alice')}@example.com`;
    const before = first.stubs.user.requests.length;
    // The same account however it is spelt: case and surrounding spaces do not buy more attempts.
    const spellings = [email, email.toUpperCase(), ` ${email} `];
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await login(attempt % 2 === 0 ? first : second, spellings[attempt % 3]!, ip);
      statuses.push(response.statusCode);
      expect(response.headers.ratelimit).toMatch(/^"(ip|credentials)";r=\d+;t=\d+$/);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    for (const gw of [first, second]) {
      const refused = await login(gw, email, ip);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['ratelimit-policy']).toMatch(/^"credentials";q=5;w=\d+$/);
      expect(rateLimit(refused)).toMatchObject({ policy: 'credentials', remaining: '0' });
      expect(Number(rateLimit(refused).reset)).toBeGreaterThan(0);
    }
    expect(first.stubs.user.requests.length - before).toBe(5);
  });

  it('when another account logs in from the same IP, or the same account from another IP, then it has its own budget', async () => {
    const ip = randomClientIp();
    const email = `${uniqueName('bob')}@example.com`;
    for (let attempt = 0; attempt < 5; attempt++) await login(first, email, ip);
    expect((await login(first, email, ip)).statusCode).toBe(429);
    expect((await login(second, `${uniqueName('carol')}@example.com`, ip)).statusCode).toBe(200);
    expect((await login(second, email, randomClientIp())).statusCode).toBe(200);
  });
});

describe('general rate limits', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      RATE_LIMIT_IP_MAX: '3',
      RATE_LIMIT_MAX: '3',
      RATE_LIMIT_ALLOWLIST: '192.168.77.0/24, 10.200.0.1',
    });
  });
  afterAll(() => gw.close());

  it('when a user exceeds the limit, then 429 for that user only, from any address', async () => {
    const alice = await gw.issuer.token({ userId: objectIdHex() });
    const bob = await gw.issuer.token({ userId: objectIdHex() });
    const call = (token: string, remoteAddress = randomClientIp()) =>
      gw.app.inject({
        method: 'GET',
        url: '/api/v1/orders',
        remoteAddress,
        headers: { authorization: `Bearer ${token}` },
      });

    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) remaining.push(String(rateLimit(await call(alice)).remaining));
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await call(alice);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect((await call(bob)).statusCode).toBe(200);
  });

  it('when an anonymous client floods, then 429 for its address before the service is called', async () => {
    const ip = randomClientIp();
    const before = gw.stubs.product.requests.length;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await gw.app.inject({ method: 'GET', url: '/api/v1/products', remoteAddress: ip })).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    expect(gw.stubs.product.requests.length - before).toBe(3);
    expect(
      (await gw.app.inject({ method: 'GET', url: '/api/v1/products', remoteAddress: randomClientIp() })).statusCode,
    ).toBe(200);
  });

  it('when a burst arrives at once, then exactly the limit passes, each with its own remaining count', async () => {
    const ip = randomClientIp();
    const before = gw.stubs.product.requests.length;
    // Concurrent: their counts are asked of Redis together, in one call.
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => gw.app.inject({ method: 'GET', url: '/api/v1/products', remoteAddress: ip })),
    );
    const passed = responses.filter((r) => r.statusCode === 200);
    expect(passed.map((r) => rateLimit(r).remaining).sort()).toEqual(['0', '1', '2']);
    expect(responses.filter((r) => r.statusCode === 429)).toHaveLength(5);
    expect(gw.stubs.product.requests.length - before).toBe(3);
  });

  it('when an anonymous client is far below its limit, then its call does not wait for Redis; a client Redis has not counted yet does', async () => {
    const wide = await startTestGateway({ RATE_LIMIT_IP_MAX: '100' }, { stubs: gw.stubs, issuer: gw.issuer });
    const admin = wide.app.redis.duplicate({ enableOfflineQueue: true });
    try {
      const known = randomClientIp();
      const get = (remoteAddress: string) => wide.app.inject({ method: 'GET', url: '/api/v1/products', remoteAddress });
      expect((await get(known)).statusCode).toBe(200);
      // Redis stops answering scripts for 800 ms (CLIENT PAUSE ends by itself).
      await admin.client('PAUSE', 800, 'WRITE');
      const started = Date.now();

      const [fast, slow] = await Promise.all([
        get(known).then((r) => ({
          status: r.statusCode,
          remaining: rateLimit(r).remaining,
          ms: Date.now() - started,
        })),
        get(randomClientIp()).then((r) => ({ status: r.statusCode, ms: Date.now() - started })),
      ]);

      expect(fast).toMatchObject({ status: 200, remaining: '98' });
      expect(fast.ms).toBeLessThan(400);
      expect(slow.status).toBe(200);
      expect(slow.ms).toBeGreaterThanOrEqual(600);
      // Counted all the same: Redis holds both calls of the known client.
      expect(await admin.get(`gateway:ratelimit:ip:${known}`)).toBe('2');
    } finally {
      admin.disconnect();
      await wide.close();
    }
  });

  it('when calls far below the limit go on without waiting, then their counts reach Redis together, RATE_LIMIT_SYNC_MS later', async () => {
    const syncing = await startTestGateway(
      { RATE_LIMIT_IP_MAX: '100', RATE_LIMIT_SYNC_MS: '1500' },
      { stubs: gw.stubs, issuer: gw.issuer },
    );
    const admin = syncing.app.redis.duplicate({ enableOfflineQueue: true });
    try {
      const ip = randomClientIp();
      const key = `gateway:ratelimit:ip:${ip}`;
      const get = () => syncing.app.inject({ method: 'GET', url: '/api/v1/products', remoteAddress: ip });
      // Redis has not counted this address yet: the first call waits for its count.
      expect(rateLimit(await get()).remaining).toBe('99');
      expect(await admin.get(key)).toBe('1');

      const remaining: Array<string | undefined> = [];
      for (let i = 0; i < 5; i++) remaining.push(rateLimit(await get()).remaining);
      expect(remaining).toEqual(['98', '97', '96', '95', '94']);
      expect(await admin.get(key)).toBe('1');
      await waitFor(async () => (await admin.get(key)) === '6', {
        what: 'the five counts to reach Redis',
        timeoutMs: 5_000,
      });
    } finally {
      admin.disconnect();
      await syncing.close();
    }
  });

  it('when a client floods with bad or missing tokens, then 401 until its address is over the limit, then 429', async () => {
    const ip = randomClientIp();
    const statuses: number[] = [];
    for (const authorization of ['Bearer a.b.c', undefined, 'Bearer x.y.z', 'Bearer a.b.c', undefined]) {
      const response = await gw.app.inject({
        method: 'GET',
        url: '/api/v1/orders',
        remoteAddress: ip,
        headers: authorization ? { authorization } : {},
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('when the caller is on the allowlist, then no limit applies', async () => {
    for (const remoteAddress of ['192.168.77.10', '::ffff:10.200.0.1']) {
      for (let i = 0; i < 5; i++) {
        const response = await gw.app.inject({ method: 'GET', url: '/api/v1/products', remoteAddress });
        expect(response.statusCode).toBe(200);
        expect(response.headers.ratelimit).toBeUndefined();
      }
    }
  });
});

describe('the edge while Redis is away', () => {
  it('when Redis goes away, then public calls go on unlimited and each is counted as not limited, those that had not waited included, and a token the edge cannot check gets 503 on a protected route', async () => {
    // A Redis of this test's own, so stopping it disturbs nobody.
    const redis = await startPrivateRedis();
    const gw = await startTestGateway({ REDIS_URL: redis.url, RATE_LIMIT_IP_MAX: '100', RATE_LIMIT_SYNC_MS: '300' });
    const unlimited = () => metricValue(gw.app.metrics, 'gateway_rate_limit_store_errors_total');
    try {
      const ip = randomClientIp();
      const get = (remoteAddress: string) => gw.app.inject({ method: 'GET', url: '/api/v1/products', remoteAddress });
      // The first call waits for Redis: from its answer the edge knows the address is far below its limit.
      expect(rateLimit(await get(ip)).remaining).toBe('99');
      await redis.stop();

      // These go on without waiting; their counts were due at Redis 300 ms later and are lost.
      for (const remaining of ['98', '97', '96']) {
        const response = await get(ip);
        expect(response.statusCode).toBe(200);
        expect(rateLimit(response).remaining).toBe(remaining);
      }
      await waitFor(async () => (await unlimited()) === 3, { what: 'the three uncounted calls to be reported' });

      // An address the edge has not seen waits for its count, which fails: the call goes on, unlimited.
      const unknown = await get(randomClientIp());
      expect(unknown.statusCode).toBe(200);
      expect(unknown.headers.ratelimit).toBeUndefined();
      expect(await unlimited()).toBe(4);

      // A token never checked here, on a protected route: whether it was revoked cannot be read.
      const token = await gw.issuer.token({ userId: objectIdHex() });
      const orders = await gw.app.inject({
        method: 'GET',
        url: '/api/v1/orders',
        remoteAddress: randomClientIp(),
        headers: { authorization: `Bearer ${token}` },
      });
      expect(orders.statusCode).toBe(503);
      expect(orders.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(orders.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(orders.headers['retry-after']).toBe('2');
      expect(gw.stubs.order.requests.length).toBe(0);
    } finally {
      await redis.start();
      await gw.close();
      await redis.stop();
    }
  });
});
