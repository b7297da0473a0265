import { createHash } from 'node:crypto';
import { createTokenVerifier } from '@platform/kit';
import { metricValue } from '@platform/test-kit';
import { auditEntries, startTestApp, type TestApp } from '../../helpers/app';
import { login, newEmail, register, registerUser, strongPassword, type SessionBody } from '../../helpers/users';

describe('POST /auth/login', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const verifyWithJwks = async (token: string) => {
    const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    return createTokenVerifier({
      jwks: { keys: jwks },
      issuer: t.config.AUTH_ISSUER,
      audience: t.config.AUTH_AUDIENCE,
    })(token);
  };

  it('when the credentials are right, then 200 with a 15-minute access token that verifies against the JWKS, and a refresh token', async () => {
    const email = newEmail();
    const id = await registerUser(t.app, email);
    const before = await metricValue(t.app.metrics, 'user_logins_total', { outcome: 'ok' });

    const res = await login(t.app, email.toUpperCase());

    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const session = res.json<SessionBody>();
    expect(session).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      refreshTokenExpiresAt: expect.any(String),
    });
    const principal = await verifyWithJwks(session.accessToken);
    expect(principal).toMatchObject({ userId: id, role: 'customer', jti: expect.any(String) });
    expect(principal.exp - Math.floor(Date.now() / 1000)).toBeGreaterThan(890);
    const header = JSON.parse(Buffer.from(session.accessToken.split('.')[0]!, 'base64url').toString()) as object;
    expect(header).toMatchObject({ alg: 'EdDSA', kid: t.config.JWT_KEY_ID });
    expect(await metricValue(t.app.metrics, 'user_logins_total', { outcome: 'ok' })).toBe(before + 1);
    expect(auditEntries(t.logs, 'login').at(-1)).toEqual({ action: 'login', outcome: 'ok', actorId: id, targetId: id });
  });

  it('when the refresh token is issued, then only its sha256 hash is stored, with a family and a 30-day expiry', async () => {
    const email = newEmail();
    await register(t.app, email);

    const session = (await login(t.app, email)).json<SessionBody>();

    const tokenHash = createHash('sha256').update(session.refreshToken).digest('hex');
    const stored = await t.app.mongo.collection('refresh_tokens').findOne({ tokenHash });
    expect(stored).toMatchObject({ familyId: expect.any(String), usedAt: null, revokedAt: null });
    expect(JSON.stringify(await t.app.mongo.collection('refresh_tokens').find().toArray())).not.toContain(
      session.refreshToken,
    );
    const days = ((stored!.expiresAt as Date).getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(30);
  });

  it('when the password is wrong or the email unknown, then the same 401 INVALID_CREDENTIALS for both', async () => {
    const email = newEmail();
    await register(t.app, email);
    const before = await metricValue(t.app.metrics, 'user_logins_total', { outcome: 'failed' });

    const wrongPassword = await login(t.app, email, 'not-the-right-password');
    const unknownEmail = await login(t.app, newEmail('nobody'), 'not-the-right-password');

    for (const res of [wrongPassword, unknownEmail]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'INVALID_CREDENTIALS', title: 'Invalid email or password' });
    }
    const { requestId: _a, instance: _b, ...first } = wrongPassword.json();
    const { requestId: _c, instance: _d, ...second } = unknownEmail.json();
    expect(first).toEqual(second);
    expect(await metricValue(t.app.metrics, 'user_logins_total', { outcome: 'failed' })).toBe(before + 2);
  });

  it('when logins happen, then the log never contains a password or a token', async () => {
    const email = newEmail();
    await register(t.app, email);
    const session = (await login(t.app, email)).json<SessionBody>();
    await login(t.app, email, 'a-wrong-password-123');

    const logText = JSON.stringify(t.logs);
    expect(logText).not.toContain(strongPassword);
    expect(logText).not.toContain('a-wrong-password-123');
    expect(logText).not.toContain(session.accessToken);
    expect(logText).not.toContain(session.refreshToken);
  });

  it('when the body is invalid, then 400 VALIDATION_FAILED listing the fields', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: { $ne: null } } });

    expect(res.statusCode).toBe(400);
    const fields = res.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['/email', '/password']));
  });
});
