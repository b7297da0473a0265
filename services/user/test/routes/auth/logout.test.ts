import { Redis } from 'ioredis';
import { requireEnv } from '@platform/test-kit';
import { auditEntries, startTestApp, type TestApp } from '../../helpers/app';
import { bearer, registerAndLogin, type SessionBody } from '../../helpers/users';

describe('POST /auth/logout', () => {
  let t: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    t = await startTestApp();
    redis = new Redis(requireEnv('REDIS_URL'));
  });

  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  const logout = (session: SessionBody, refreshToken = session.refreshToken) =>
    t.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: bearer(session.accessToken),
      payload: { refreshToken },
    });
  const me = (accessToken: string) => t.app.inject({ method: 'GET', url: '/users/me', headers: bearer(accessToken) });

  it('when a user logs out, then 204, the access token is refused with 401 TOKEN_REVOKED and the refresh token no longer works', async () => {
    const { userId, session } = await registerAndLogin(t.app);
    expect((await me(session.accessToken)).statusCode).toBe(200);

    const res = await logout(session);

    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const after = await me(session.accessToken);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'TOKEN_REVOKED' });
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refreshToken: session.refreshToken },
    });
    expect(refreshed.statusCode).toBe(401);
    expect(auditEntries(t.logs, 'logout')).toContainEqual(
      expect.objectContaining({ outcome: 'ok', actorId: userId, targetId: userId }),
    );
  });

  it('when a user logs out, then the deny-list entry is the shared one every service reads, living until the token expires', async () => {
    const { session } = await registerAndLogin(t.app);
    const { jti } = JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()) as {
      jti: string;
    };

    await logout(session);

    const ttl = await redis.ttl(`auth:deny:${jti}`);
    expect(ttl).toBeGreaterThan(800);
    expect(ttl).toBeLessThanOrEqual(900);
  });

  it('when the refresh token belongs to someone else, then only the caller is logged out', async () => {
    const caller = await registerAndLogin(t.app);
    const other = await registerAndLogin(t.app);

    expect((await logout(caller.session, other.session.refreshToken)).statusCode).toBe(204);

    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refreshToken: other.session.refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
  });

  it('when no access token is sent, then 401 UNAUTHENTICATED', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/auth/logout', payload: { refreshToken: 'A'.repeat(43) } });

    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('when the refresh token is missing, then 400 VALIDATION_FAILED', async () => {
    const { session } = await registerAndLogin(t.app);

    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: bearer(session.accessToken),
      payload: {},
    });

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: '/refreshToken' }] });
  });
});
