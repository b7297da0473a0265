import { metricValue } from '@platform/test-kit';
import { auditEntries, startTestApp, type TestApp } from '../../helpers/app';
import { login, newEmail, register, registerUser, strongPassword } from '../../helpers/users';

describe('account lockout', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  async function failFiveTimes(email: string): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(t.app, email, `wrong-password-${i}-xyz`)).statusCode);
    return statuses;
  }

  it('when 5 logins fail, then the account is locked: even the right password gets 423 ACCOUNT_LOCKED with Retry-After', async () => {
    const email = newEmail();
    const id = await registerUser(t.app, email);
    const lockedBefore = await metricValue(t.app.metrics, 'user_logins_total', { outcome: 'locked' });

    expect(await failFiveTimes(email)).toEqual([401, 401, 401, 401, 401]);
    const sixth = await login(t.app, email);

    expect(sixth.statusCode).toBe(423);
    expect(sixth.json()).toMatchObject({ code: 'ACCOUNT_LOCKED' });
    const retryAfter = Number(sixth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(await metricValue(t.app.metrics, 'user_logins_total', { outcome: 'locked' })).toBe(lockedBefore + 1);
    expect(auditEntries(t.logs, 'lockout')).toContainEqual(
      expect.objectContaining({ action: 'lockout', outcome: 'locked', targetId: id }),
    );
  });

  it('when an unknown email fails 5 times, then it locks exactly like an existing account', async () => {
    const existing = newEmail('known');
    await register(t.app, existing);
    const unknown = newEmail('unknown');

    const knownStatuses = await failFiveTimes(existing);
    const unknownStatuses = await failFiveTimes(unknown);
    const knownSixth = await login(t.app, existing, 'wrong-password-6-xyz');
    const unknownSixth = await login(t.app, unknown, 'wrong-password-6-xyz');

    expect(unknownStatuses).toEqual(knownStatuses);
    expect(unknownSixth.statusCode).toBe(423);
    expect(knownSixth.statusCode).toBe(423);
    // The two locks started a few seconds apart (five password hashes each), so their countdowns may differ.
    const strip = ({ requestId: _r, instance: _i, detail, ...rest }: Record<string, unknown>) => ({
      ...rest,
      detail: String(detail).replace(/\d+ seconds/, 'N seconds'),
    });
    expect(strip(unknownSixth.json())).toEqual(strip(knownSixth.json()));
    expect(unknownSixth.headers['retry-after']).toBeDefined();
  });

  it('when a login succeeds after some failures, then the failure count starts again', async () => {
    const email = newEmail();
    await register(t.app, email);
    for (let i = 0; i < 4; i++) await login(t.app, email, 'wrong-password-xyz');

    expect((await login(t.app, email)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) await login(t.app, email, 'wrong-password-xyz');

    expect((await login(t.app, email)).statusCode).toBe(200);
  });

  it('when a stranger fails 5 times from their address, then they are locked out and the owner elsewhere is not', async () => {
    const email = newEmail('victim');
    await register(t.app, email);
    const fromStranger = (password: string) =>
      t.app.inject({ method: 'POST', url: '/auth/login', remoteAddress: '203.0.113.7', payload: { email, password } });
    for (let i = 0; i < 5; i++) expect((await fromStranger(`guess-number-${i}-xyz`)).statusCode).toBe(401);

    const stranger = await fromStranger(strongPassword);
    expect(stranger.statusCode).toBe(423);
    expect(stranger.json()).toMatchObject({ code: 'ACCOUNT_LOCKED' });

    const owner = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      remoteAddress: '198.51.100.20',
      payload: { email, password: strongPassword },
    });
    expect(owner.statusCode).toBe(200);
  });
});

describe('account lockout behind the gateway', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ TRUSTED_PROXIES: '127.0.0.1' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('when failures come through a trusted proxy, then they count for the client address it names, not for the proxy', async () => {
    const email = newEmail('proxied');
    await register(t.app, email);
    const through = (clientIp: string, password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { 'x-forwarded-for': clientIp },
        payload: { email, password },
      });
    for (let i = 0; i < 5; i++) await through('203.0.113.9', `guess-number-${i}-xyz`);

    expect((await through('203.0.113.9', strongPassword)).statusCode).toBe(423);
    expect((await through('198.51.100.21', strongPassword)).statusCode).toBe(200);
  });
});
