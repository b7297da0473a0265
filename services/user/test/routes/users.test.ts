import { objectIdHex } from '@platform/test-kit';
import { auditEntries, startTestApp, type TestApp } from '../helpers/app';
import { bearer, newEmail, register, registerAndLogin } from '../helpers/users';

interface UserBody {
  id: string;
  email: string;
  role: string;
  createdAt: string;
}

describe('/users', () => {
  let t: TestApp;
  let adminToken: string;
  let adminId: string;

  beforeAll(async () => {
    t = await startTestApp();
    adminId = objectIdHex();
    adminToken = await t.issuer.token({ userId: adminId, role: 'admin' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, token?: string) =>
    t.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });
  const setRole = (id: string, role: unknown, token = adminToken) =>
    t.app.inject({ method: 'PATCH', url: `/users/${id}/role`, headers: bearer(token), payload: { role } });

  describe('GET /users/me', () => {
    it('when authenticated, then 200 with the own account and no password hash', async () => {
      const { userId, email, session } = await registerAndLogin(t.app);

      const res = await get('/users/me', session.accessToken);

      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ id: userId, email, role: 'customer', createdAt: expect.any(String) });
    });

    it('when no token is sent, then 401 UNAUTHENTICATED', async () => {
      const res = await get('/users/me');

      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('when the token names a user that does not exist, then 404 USER_NOT_FOUND', async () => {
      const res = await get('/users/me', await t.issuer.token({ userId: objectIdHex() }));

      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'USER_NOT_FOUND' });
    });
  });

  describe('GET /users', () => {
    it('when an admin pages through the users, then every user appears once, newest first, until nextCursor is null', async () => {
      const emails: string[] = [];
      for (let i = 0; i < 5; i++) {
        emails.push(newEmail(`page${i}`));
        await register(t.app, emails[i]!);
      }

      const seen: UserBody[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(`/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, adminToken);
        expect(res.statusCode).toBe(200);
        const page = res.json<{ items: UserBody[]; nextCursor: string | null }>();
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);

      expect(new Set(seen.map((u) => u.id)).size).toBe(seen.length);
      const created = seen.map((u) => u.email).filter((email) => emails.includes(email));
      expect(created).toEqual([...emails].reverse());
      const times = seen.map((u) => Date.parse(u.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('when filtered by role, then only users with that role are listed', async () => {
      const { userId } = await registerAndLogin(t.app);
      await setRole(userId, 'admin');

      const res = await get('/users?role=admin&limit=100', adminToken);

      expect(res.statusCode).toBe(200);
      const items = res.json<{ items: UserBody[] }>().items;
      expect(items.map((u) => u.id)).toContain(userId);
      expect(items.every((u) => u.role === 'admin')).toBe(true);
    });

    it('when the limit, role or cursor is invalid, then 400', async () => {
      const badQuery = await get('/users?limit=101&role=root&extra=1', adminToken);
      const badCursor = await get('/users?cursor=bm90LWEtY3Vyc29y', adminToken);

      expect(badQuery.statusCode).toBe(400);
      const fields = badQuery.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['/limit', '/role', '/extra']));
      expect(badCursor.statusCode).toBe(400);
      expect(badCursor.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ field: '/cursor' })],
      });
    });

    it('when a customer asks, then 403 FORBIDDEN; without a token, 401', async () => {
      const customer = await get('/users', await t.issuer.token({ userId: objectIdHex(), role: 'customer' }));
      const anonymous = await get('/users');

      expect(customer.statusCode).toBe(403);
      expect(customer.json()).toMatchObject({ code: 'FORBIDDEN' });
      expect(anonymous.statusCode).toBe(401);
    });
  });

  describe('PATCH /users/:id/role', () => {
    it('when an admin promotes a customer, then 200 with the new role, stored and audited', async () => {
      const { userId } = await registerAndLogin(t.app);

      const res = await setRole(userId, 'admin');

      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: userId, role: 'admin' });
      expect((await get('/users?role=admin&limit=100', adminToken)).json<{ items: UserBody[] }>().items).toContainEqual(
        expect.objectContaining({ id: userId }),
      );
      expect(auditEntries(t.logs, 'role_change')).toContainEqual({
        action: 'role_change',
        outcome: 'ok',
        actorId: adminId,
        targetId: userId,
        from: 'customer',
        to: 'admin',
      });
    });

    it('when an admin demotes another admin, then 200', async () => {
      const { userId } = await registerAndLogin(t.app);
      await setRole(userId, 'admin');

      const res = await setRole(userId, 'customer');

      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ role: 'customer' });
    });

    it('when an admin demotes themselves, then 409 CANNOT_DEMOTE_SELF and the role stays', async () => {
      const { userId, email } = await registerAndLogin(t.app);
      await setRole(userId, 'admin');
      const ownToken = await t.issuer.token({ userId, role: 'admin' });

      const res = await setRole(userId, 'customer', ownToken);

      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'CANNOT_DEMOTE_SELF' });
      expect((await get('/users?role=admin&limit=100', adminToken)).json<{ items: UserBody[] }>().items).toContainEqual(
        expect.objectContaining({ email, role: 'admin' }),
      );
    });

    it('when the user does not exist, then 404 USER_NOT_FOUND', async () => {
      const res = await setRole(objectIdHex(), 'admin');

      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'USER_NOT_FOUND' });
    });

    it('when the id is not an ObjectId, then 400 naming the parameter', async () => {
      const res = await setRole('not-an-id', 'admin');

      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ in: 'params', field: '/id' }] });
    });

    it.each([
      ['an unknown role', 'root'],
      ['an operator object', { $ne: 'admin' }],
    ])('when the role is %s, then 400 and the user keeps its role', async (_case, role) => {
      const { userId, session } = await registerAndLogin(t.app);

      const res = await setRole(userId, role);

      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((await get('/users/me', session.accessToken)).json()).toMatchObject({ role: 'customer' });
    });

    it('when a customer tries, then 403 FORBIDDEN; without a token, 401', async () => {
      const { userId, session } = await registerAndLogin(t.app);

      const customer = await setRole(userId, 'admin', session.accessToken);
      const anonymous = await t.app.inject({
        method: 'PATCH',
        url: `/users/${userId}/role`,
        payload: { role: 'admin' },
      });

      expect(customer.statusCode).toBe(403);
      expect(anonymous.statusCode).toBe(401);
    });
  });
});
