import { auditEntries, metricValue, startTestApp, type TestApp } from '../../helpers/app';
import { login, newEmail, register } from '../../helpers/users';

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
    const { id } = (await register(t.app, email)).json<{ id: string }>();
    const lockedBefore = await metricValue(t.app, 'user_logins_total', { outcome: 'locked' });

    expect(await failFiveTimes(email)).toEqual([401, 401, 401, 401, 401]);
    const sixth = await login(t.app, email);

    expect(sixth.statusCode).toBe(423);
    expect(sixth.json()).toMatchObject({ code: 'ACCOUNT_LOCKED' });
    const retryAfter = Number(sixth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(await metricValue(t.app, 'user_logins_total', { outcome: 'locked' })).toBe(lockedBefore + 1);
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
});
