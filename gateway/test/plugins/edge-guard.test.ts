import { createDenyList } from '@platform/kit';
import { objectIdHex, waitFor } from '@platform/test-kit';
import { generateKeyPair } from 'jose';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

describe('authentication at the edge', () => {
  let gw: TestGateway;
  const userId = objectIdHex();

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.close());

  async function getMe(authorization?: string) {
    const before = gw.stubs.user.requests.length;
    const response = await gw.app.inject({
      method: 'GET',
      url: '/api/v1/users/me',
      headers: authorization ? { authorization } : {},
    });
    return { response, reachedService: gw.stubs.user.requests.length > before };
  }

  function callWith(token: string, url: string) {
    return gw.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  }

  it('when the token is valid, then the request reaches the service', async () => {
    const { response, reachedService } = await getMe(`Bearer ${await gw.issuer.token({ userId })}`);
    expect(response.statusCode).toBe(200);
    expect(reachedService).toBe(true);
  });

  it('when no token is sent to a protected route, then 401 UNAUTHENTICATED', async () => {
    const { response, reachedService } = await getMe();
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(reachedService).toBe(false);
  });

  it('when the token has expired, then 401 INVALID_TOKEN', async () => {
    const expired = await gw.issuer.token({ userId }, { expiresIn: Math.floor(Date.now() / 1000) - 120 });
    const { response, reachedService } = await getMe(`Bearer ${expired}`);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'INVALID_TOKEN', detail: 'token expired' });
    expect(reachedService).toBe(false);
  });

  it('when the signature is not the issuer key, then 401 INVALID_TOKEN', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await gw.issuer.token({ userId, role: 'admin' }, { signWith: privateKey });
    const { response } = await getMe(`Bearer ${forged}`);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'INVALID_TOKEN', detail: 'bad signature' });
  });

  it('when a validly signed token has a sub that is not a string, then 401 INVALID_TOKEN, not 500', async () => {
    const token = await gw.issuer.token({ userId }, { claims: { sub: 12345 } });
    const { response, reachedService } = await getMe(`Bearer ${token}`);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(reachedService).toBe(false);
  });

  it('when the token is unsigned (alg none), then 401 INVALID_TOKEN', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = unsignedToken({
      sub: userId,
      role: 'admin',
      jti: 'j',
      iss: gw.issuer.issuer,
      aud: gw.issuer.audience,
      exp: now + 600,
    });
    const { response, reachedService } = await getMe(`Bearer ${token}`);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(reachedService).toBe(false);
  });

  it('when the token is on the deny-list (logged out), then 401 TOKEN_REVOKED', async () => {
    const jti = objectIdHex();
    const token = await gw.issuer.token({ userId }, { jti });
    await createDenyList(gw.app.redis).add(jti, Math.floor(Date.now() / 1000) + 600);
    const { response } = await getMe(`Bearer ${token}`);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'TOKEN_REVOKED' });
  });

  describe("the replica's view of revocations (REVOCATION_VIEW_MS)", () => {
    it('when a token was read not revoked a moment ago, then a forwarded call does not wait for Redis and is counted all the same', async () => {
      const admin = gw.app.redis.duplicate({ enableOfflineQueue: true });
      try {
        const caller = objectIdHex();
        const token = await gw.issuer.token({ userId: caller });
        expect((await getMe(`Bearer ${token}`)).response.statusCode).toBe(200);
        // Redis stops answering scripts for 800 ms (CLIENT PAUSE ends by itself).
        await admin.client('PAUSE', 800, 'WRITE');
        const started = Date.now();

        const { response, reachedService } = await getMe(`Bearer ${token}`);

        expect({ status: response.statusCode, reachedService }).toEqual({ status: 200, reachedService: true });
        expect(Date.now() - started).toBeLessThan(400);
        await waitFor(async () => (await admin.get(`gateway:ratelimit:user:${caller}`)) === '2', {
          what: 'both calls counted in Redis',
          timeoutMs: 5_000,
        });
      } finally {
        admin.disconnect();
      }
    });

    it('when a token read not revoked is revoked, then the service behind refuses it until the view learns it, the edge after that; its own routes at once', async () => {
      const jti = objectIdHex();
      const token = await gw.issuer.token({ userId }, { jti });
      expect((await getMe(`Bearer ${token}`)).response.statusCode).toBe(200);

      await createDenyList(gw.app.redis).add(jti, Math.floor(Date.now() / 1000) + 600);

      // The order event stream is the gateway's own: it always reads the deny-list.
      const stream = await callWith(token, `/api/v1/orders/${objectIdHex()}/events`);
      expect(stream.statusCode).toBe(401);
      expect(stream.json()).toMatchObject({ code: 'TOKEN_REVOKED' });
      // Forwarded: on its way to the service (which reads the deny-list itself) until an answer teaches the view.
      const refused = await waitFor(
        async () => {
          const { response, reachedService } = await getMe(`Bearer ${token}`);
          return !reachedService && response;
        },
        { what: 'the edge to learn the revocation', timeoutMs: 5_000, intervalMs: 20 },
      );
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ code: 'TOKEN_REVOKED' });
    });

    it("when a token read not revoked is revoked, then the edge's own answers still say so: 401 on an admin route for a customer, anonymous on a public one", async () => {
      const jti = objectIdHex();
      const token = await gw.issuer.token({ userId, role: 'customer' }, { jti });
      expect((await getMe(`Bearer ${token}`)).response.statusCode).toBe(200);

      await createDenyList(gw.app.redis).add(jti, Math.floor(Date.now() / 1000) + 600);

      const admin = await callWith(token, '/api/v1/users');
      expect(admin.statusCode).toBe(401);
      expect(admin.json()).toMatchObject({ code: 'TOKEN_REVOKED' });
      const catalogue = await callWith(token, `/api/v1/products/${objectIdHex()}`);
      expect(catalogue.statusCode).toBe(200);
      expect(gw.stubs.product.requests.at(-1)?.headers['x-user-id']).toBeUndefined();
    });

    it('when REVOCATION_VIEW_MS is 0, then every forwarded call reads the deny-list', async () => {
      const strict = await startTestGateway({ REVOCATION_VIEW_MS: '0' }, { stubs: gw.stubs, issuer: gw.issuer });
      try {
        const jti = objectIdHex();
        const token = await strict.issuer.token({ userId }, { jti });
        const me = () =>
          strict.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { authorization: `Bearer ${token}` } });
        expect((await me()).statusCode).toBe(200);

        await createDenyList(strict.app.redis).add(jti, Math.floor(Date.now() / 1000) + 600);

        expect((await me()).json()).toMatchObject({ status: 401, code: 'TOKEN_REVOKED' });
      } finally {
        await strict.close();
      }
    });
  });

  it('when a customer calls an admin route, then 403 FORBIDDEN before the service is called', async () => {
    const token = await gw.issuer.token({ userId, role: 'customer' });
    for (const [method, url] of [
      ['GET', '/api/v1/users'],
      ['POST', '/api/v1/products'],
      ['DELETE', `/api/v1/products/${objectIdHex()}`],
      ['POST', '/api/v1/stock/SKU-1/restock'],
    ] as const) {
      const response = await gw.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload: {} });
      expect({ method, url, status: response.statusCode }).toEqual({ method, url, status: 403 });
    }
  });

  it('when an admin calls an admin route, then it reaches the service with the admin identity', async () => {
    const token = await gw.issuer.token({ userId, role: 'admin' });
    const response = await gw.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(gw.stubs.user.requests.at(-1)?.headers['x-user-role']).toBe('admin');
  });

  it('when a public route is called without a token, or with a stale one, then it reaches the service anonymously', async () => {
    const expired = await gw.issuer.token({ userId }, { expiresIn: Math.floor(Date.now() / 1000) - 120 });
    for (const headers of [{}, { authorization: `Bearer ${expired}` }]) {
      const response = await gw.app.inject({ method: 'GET', url: `/api/v1/products/${objectIdHex()}`, headers });
      expect(response.statusCode).toBe(200);
      expect(gw.stubs.product.requests.at(-1)?.headers['x-user-id']).toBeUndefined();
    }
  });
});
