import { createHash } from 'node:crypto';
import { auditEntries, startTestApp, type TestApp } from '../../helpers/app';
import { bearer, login, registerAndLogin, type SessionBody } from '../../helpers/users';

describe('POST /auth/refresh', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const refresh = (refreshToken: string) =>
    t.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken } });
  const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

  it('when the refresh token is valid, then 200 with a new access token and a rotated refresh token of the same family', async () => {
    const { userId, session } = await registerAndLogin(t.app);

    const res = await refresh(session.refreshToken);

    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const next = res.json<SessionBody>();
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect(next.accessToken).not.toBe(session.accessToken);
    const me = await t.app.inject({ method: 'GET', url: '/users/me', headers: bearer(next.accessToken) });
    expect(me.json()).toMatchObject({ id: userId });
    const tokens = t.app.mongo.collection('refresh_tokens');
    const old = await tokens.findOne({ tokenHash: tokenHash(session.refreshToken) });
    const rotated = await tokens.findOne({ tokenHash: tokenHash(next.refreshToken) });
    expect(old?.usedAt).toBeInstanceOf(Date);
    expect(rotated).toMatchObject({ familyId: old?.familyId, usedAt: null, revokedAt: null });
  });

  it('when one refresh token is presented twice at once, then at most one succeeds and no token of the family stays usable if reuse was detected', async () => {
    const tokens = t.app.mongo.collection('refresh_tokens');
    const outcomes = new Set<string>();
    for (let round = 0; round < 6; round++) {
      const { session } = await registerAndLogin(t.app);
      const { familyId } = (await tokens.findOne({ tokenHash: tokenHash(session.refreshToken) }))!;

      const answers = await Promise.all([refresh(session.refreshToken), refresh(session.refreshToken)]);

      const statuses = answers.map((a) => a.statusCode);
      outcomes.add([...statuses].sort().join(','));
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
      for (const refused of answers.filter((a) => a.statusCode !== 200)) {
        expect(refused.statusCode).toBe(401);
        expect(refused.json()).toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });
      }
      // Reuse was detected (one of the two was refused): the family is revoked and the winner's new token is refused.
      // Not "every token of the family has revokedAt": a revocation may scan the family before the winner's new token
      // is stored; such a token is refused because its family is revoked (see refreshSession).
      expect(await tokens.countDocuments({ familyId, revokedAt: { $ne: null } })).toBeGreaterThan(0);
      const winner = answers.find((a) => a.statusCode === 200);
      if (winner) expect((await refresh(winner.json<SessionBody>().refreshToken)).statusCode).toBe(401);
    }
    expect([...outcomes].every((o) => o === '200,401' || o === '401,401')).toBe(true);
  });

  it('when a used refresh token is presented again, then 401 REFRESH_TOKEN_REUSED and the whole family is revoked, newest token included', async () => {
    const { userId, session } = await registerAndLogin(t.app);
    const second = (await refresh(session.refreshToken)).json<SessionBody>();
    const third = (await refresh(second.refreshToken)).json<SessionBody>();

    const reuse = await refresh(session.refreshToken);

    expect(reuse.statusCode).toBe(401);
    expect(reuse.json()).toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });
    const newest = await refresh(third.refreshToken);
    expect(newest.statusCode).toBe(401);
    expect(newest.json()).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    const tokens = t.app.mongo.collection('refresh_tokens');
    const { familyId } = (await tokens.findOne({ tokenHash: tokenHash(third.refreshToken) }))!;
    const family = await tokens.find({ familyId }).toArray();
    expect(family).toHaveLength(3);
    expect(family.every((token) => token.revokedAt instanceof Date)).toBe(true);
    expect(auditEntries(t.logs, 'refresh_token_reuse')).toContainEqual(
      expect.objectContaining({ outcome: 'revoked', targetId: userId }),
    );
  });

  it('when another login of the same user exists, then revoking one family leaves the other session working', async () => {
    const { email, session } = await registerAndLogin(t.app);
    const other = (await login(t.app, email)).json<SessionBody>();
    await refresh(session.refreshToken);
    await refresh(session.refreshToken);

    expect((await refresh(other.refreshToken)).statusCode).toBe(200);
  });

  it('when the refresh token is unknown, then 401 INVALID_REFRESH_TOKEN', async () => {
    const res = await refresh('A'.repeat(43));

    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
  });

  it('when the refresh token has expired, then 401 INVALID_REFRESH_TOKEN', async () => {
    const { session } = await registerAndLogin(t.app);
    await t.app.mongo
      .collection('refresh_tokens')
      .updateOne({ tokenHash: tokenHash(session.refreshToken) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });

    const res = await refresh(session.refreshToken);

    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
  });

  it('when the refresh token is malformed or missing, then 400 VALIDATION_FAILED', async () => {
    const malformed = await refresh('not a token');
    const missing = await t.app.inject({ method: 'POST', url: '/auth/refresh', payload: {} });

    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: '/refreshToken' }] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: '/refreshToken' }] });
  });

  it('when the role changed since login, then the refreshed access token carries the new role', async () => {
    const { userId, session } = await registerAndLogin(t.app);
    const admin = await t.issuer.token({ userId: '0123456789abcdef01234567', role: 'admin' });
    const promoted = await t.app.inject({
      method: 'PATCH',
      url: `/users/${userId}/role`,
      headers: bearer(admin),
      payload: { role: 'admin' },
    });
    expect(promoted.statusCode).toBe(200);

    const next = (await refresh(session.refreshToken)).json<SessionBody>();

    const list = await t.app.inject({ method: 'GET', url: '/users', headers: bearer(next.accessToken) });
    expect(list.statusCode).toBe(200);
  });
});
