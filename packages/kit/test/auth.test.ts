import type { FastifyInstance } from 'fastify';
import { generateKeyPair, SignJWT, base64url } from 'jose';
import { Redis } from 'ioredis';
import { createTestIssuer, objectIdHex, requireEnv, type TestIssuer } from '@platform/test-kit';
import { auth, createDenyList, createTokenVerifier, type DenyList } from '../src/index';
import { appWithLogs } from './helpers';

describe('auth plugin', () => {
  let app: FastifyInstance;
  let issuer: TestIssuer;
  let redis: Redis;
  let denyList: DenyList;
  const userId = objectIdHex();

  beforeAll(async () => {
    issuer = await createTestIssuer();
    redis = new Redis(requireEnv('REDIS_URL'));
    denyList = createDenyList(redis);
    ({ app } = await appWithLogs());
    await app.register(auth, {
      jwks: { keys: issuer.jwks },
      issuer: issuer.issuer,
      audience: issuer.audience,
      denyList,
    });
    app.get('/me', { preHandler: app.authenticate }, async (request) => request.principal);
    app.get('/admin', { preHandler: [app.authenticate, app.requireRole('admin')] }, async () => ({ ok: true }));
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    redis.disconnect();
  });

  const call = (url: string, token?: string) =>
    app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('when the token is valid, then the principal is available to the route', async () => {
    const res = await call('/me', await issuer.token({ userId }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ userId, role: 'customer', jti: expect.any(String), exp: expect.any(Number) });
  });

  it('when no token is sent, then 401 UNAUTHENTICATED', async () => {
    const res = await call('/me');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('when the token expired, then 401 INVALID_TOKEN', async () => {
    const res = await call('/me', await issuer.token({ userId }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN', detail: 'token expired' });
  });

  it('when the signature is made with another key, then 401', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const res = await call('/me', await issuer.token({ userId }, { signWith: privateKey }));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN', detail: 'bad signature' });
  });

  it('when the token says alg none, then 401 without looking for a key', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const claims = base64url.encode(
      JSON.stringify({
        sub: userId,
        role: 'admin',
        jti: 'x',
        iss: issuer.issuer,
        aud: issuer.audience,
        exp: 9999999999,
      }),
    );
    const res = await call('/admin', `${header}.${claims}.`);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('when the token is HMAC-signed with the public key as secret, then 401 (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(issuer.jwks.keys[0]));
    const forged = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', kid: issuer.jwks.keys[0]!.kid! })
      .setIssuer(issuer.issuer)
      .setAudience(issuer.audience)
      .setSubject(userId)
      .setJti('forged')
      .setExpirationTime('5m')
      .sign(secret);
    const res = await call('/admin', forged);
    expect(res.statusCode).toBe(401);
  });

  it.each([
    ['a number', { sub: 42 }],
    ['an object', { sub: { $ne: null } }],
    ['an empty string', { sub: '' }],
    ['a number jti', { jti: 7 }],
  ])(
    'when a validly signed token has %s where a string belongs, then 401 INVALID_TOKEN, not 500',
    async (_what, claims) => {
      const res = await call('/me', await issuer.token({ userId }, { claims }));
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    },
  );

  it('when a verified token is presented again after it expired, then the verifier refuses it (no stale cache)', async () => {
    const verify = createTokenVerifier({
      jwks: { keys: issuer.jwks },
      issuer: issuer.issuer,
      audience: issuer.audience,
      clockToleranceSec: 0,
    });
    const token = await issuer.token({ userId }, { expiresIn: Math.floor(Date.now() / 1000) + 1 });
    await expect(verify(token)).resolves.toMatchObject({ userId });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expect(verify(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('when the token was deny-listed at logout, then 401 TOKEN_REVOKED', async () => {
    const jti = objectIdHex();
    const token = await issuer.token({ userId }, { jti });
    expect((await call('/me', token)).statusCode).toBe(200);

    await denyList.add(jti, Math.floor(Date.now() / 1000) + 900);

    const res = await call('/me', token);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'TOKEN_REVOKED' });
    expect(await redis.ttl(`auth:deny:${jti}`)).toBeGreaterThan(800);
  });

  it('when a customer calls an admin route, then 403 FORBIDDEN; an admin gets through', async () => {
    const customer = await call('/admin', await issuer.token({ userId, role: 'customer' }));
    expect(customer.statusCode).toBe(403);
    expect(customer.json()).toMatchObject({ code: 'FORBIDDEN' });

    const admin = await call('/admin', await issuer.token({ userId, role: 'admin' }));
    expect(admin.statusCode).toBe(200);
  });
});
