import { createTokenVerifier } from '@platform/kit';
import { generateSigningKey, startTestApp, type SigningKey, type TestApp } from '../helpers/app';
import { registerAndLogin } from '../helpers/users';

describe('GET /.well-known/jwks.json', () => {
  let t: TestApp;
  let previous: SigningKey;

  beforeAll(async () => {
    previous = await generateSigningKey('previous-key');
    t = await startTestApp({ JWT_PREVIOUS_PUBLIC_KEYS: JSON.stringify([previous.publicJwk]) });
  });

  afterAll(async () => {
    await t?.close();
  });

  const jwks = () => t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });

  it('when fetched, then it serves the current public key first and the previous ones, never a private part', async () => {
    const res = await jwks();

    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const { keys } = res.json<{ keys: Array<Record<string, string>> }>();
    expect(keys).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: t.config.JWT_KEY_ID, alg: 'EdDSA', use: 'sig' },
      { kty: 'OKP', crv: 'Ed25519', x: previous.publicJwk.x, kid: 'previous-key', alg: 'EdDSA', use: 'sig' },
    ]);
    expect(res.body).not.toContain('"d"');
  });

  it('when a token from login is checked by the kit verifier against the served JWKS, then it verifies', async () => {
    const { userId, session } = await registerAndLogin(t.app);
    const verify = createTokenVerifier({
      jwks: { keys: (await jwks()).json() },
      issuer: t.config.AUTH_ISSUER,
      audience: t.config.AUTH_AUDIENCE,
    });

    await expect(verify(session.accessToken)).resolves.toMatchObject({ userId, role: 'customer' });
  });

  it('when the JWKS is fetched, then it is public: no token needed', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/.well-known/jwks.json',
      headers: { authorization: 'Bearer x.y.z' },
    });

    expect(res.statusCode).toBe(200);
  });
});

describe('GET /openapi.json', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('when fetched, then every route is documented, the protected ones with bearer security', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });

    expect(res.statusCode).toBe(200);
    const paths = res.json<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>().paths;
    expect(Object.keys(paths).sort()).toEqual([
      '/.well-known/jwks.json',
      '/auth/login',
      '/auth/logout',
      '/auth/refresh',
      '/auth/register',
      '/users/',
      '/users/me',
      '/users/{id}/role',
    ]);
    expect(paths['/auth/logout']!.post!.security).toEqual([{ bearerAuth: [] }]);
    expect(paths['/users/{id}/role']!.patch!.security).toEqual([{ bearerAuth: [] }]);
    expect(paths['/auth/login']!.post!.security).toBeUndefined();
  });
});
