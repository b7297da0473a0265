import { EventTypes, Topics, payloadSchemas } from '@platform/events';
import { metricValue, recordTopics, waitFor, type TopicRecorder } from '@platform/test-kit';
import { usersCollection } from '../../../src/data-access/user-model';
import { auditEntries, startTestApp, type TestApp } from '../../helpers/app';
import { login, newEmail, register, registerUser, strongPassword } from '../../helpers/users';

describe('POST /auth/register', () => {
  let t: TestApp;
  let topic: TopicRecorder;

  beforeAll(async () => {
    t = await startTestApp();
    topic = await recordTopics([`${t.config.KAFKA_TOPIC_PREFIX}${Topics.Users}`]);
  });

  afterAll(async () => {
    await topic?.stop();
    await t?.close();
  });

  it('when the email is new and the password strong, then 202 and a customer account under the lower-case email, stored with an argon2id hash', async () => {
    const email = newEmail();
    const before = await metricValue(t.app.metrics, 'user_registrations_total');

    const res = await register(t.app, email.toUpperCase());

    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted', message: expect.any(String) });
    const stored = await t.app.mongo.collection(usersCollection).findOne({ email });
    expect(stored).toMatchObject({ role: 'customer' });
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(stored)).not.toContain(strongPassword);
    expect(await metricValue(t.app.metrics, 'user_registrations_total')).toBe(before + 1);
  });

  it('when a user registers, then user.registered is published on the prefixed users topic, keyed by user id', async () => {
    const email = newEmail();
    const id = await registerUser(t.app, email);

    const message = await waitFor(() => topic.events.find((m) => m.key === id), { what: 'user.registered' });

    expect(message.envelope).toMatchObject({ type: EventTypes.UserRegistered, version: 1 });
    const payload = message.envelope.payload;
    expect(payload).toEqual({ userId: id, email, role: 'customer', registeredAt: expect.any(String) });
    expect(payloadSchemas[EventTypes.UserRegistered].validate(payload).error).toBeUndefined();
    await waitFor(async () => (await t.app.mongo.collection(usersCollection).findOne({ email }))?.outbox.length === 0, {
      what: 'the outbox to empty',
    });
  });

  it('when the email is already registered (in another case), then the answer is the one a new address gets; the account and its password are unchanged', async () => {
    const email = newEmail();
    await register(t.app, email);
    const original = await t.app.mongo.collection(usersCollection).findOne({ email });
    const before = await metricValue(t.app.metrics, 'user_registrations_total');
    const fresh = await register(t.app, newEmail());

    const taken = await register(t.app, email.toUpperCase(), 'another-Strong-passphrase-7');

    expect(taken.statusCode).toBe(fresh.statusCode);
    expect(taken.json()).toEqual(fresh.json());
    expect(Object.keys(taken.headers).sort()).toEqual(Object.keys(fresh.headers).sort());
    const stored = await t.app.mongo.collection(usersCollection).find({ email }).toArray();
    expect(stored.map(({ _id, passwordHash, role }) => ({ _id, passwordHash, role }))).toEqual([
      { _id: original!._id, passwordHash: original!.passwordHash, role: 'customer' },
    ]);
    expect((await login(t.app, email)).statusCode).toBe(200);
    expect((await login(t.app, email, 'another-Strong-passphrase-7')).statusCode).toBe(401);
    expect(await metricValue(t.app.metrics, 'user_registrations_total')).toBe(before + 1);
    expect(auditEntries(t.logs, 'register')).toContainEqual(
      expect.objectContaining({ outcome: 'duplicate', targetId: original!._id.toHexString() }),
    );
  });

  it('when the password is shorter than 12 characters, then 400 naming the field, as the API document says', async () => {
    const email = newEmail('short');
    const res = await register(t.app, email, 'Sh0rt-pass!');

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ field: '/password', message: expect.stringContaining('12') })],
    });
    expect(await t.app.mongo.collection(usersCollection).countDocuments({ email })).toBe(0);
  });

  it.each([
    ['containing the local part of the email', 'CONTAINS_EMAIL', 'xX-{local}-Xx!'],
    ['a common password', 'COMMON_PASSWORD', '1q2w3e4r5t6y'],
    ['a common password with digits appended', 'COMMON_PASSWORD', 'Password2024!'],
  ])('when the password is %s, then 400 WEAK_PASSWORD with reason %s', async (_case, reason, password) => {
    const email = newEmail('weak');
    const res = await register(t.app, email, password.replace('{local}', email.split('@')[0]!));

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'WEAK_PASSWORD', reason, detail: expect.stringMatching(/^password /) });
    expect(await t.app.mongo.collection(usersCollection).countDocuments({ email })).toBe(0);
  });

  it('when fields are missing, malformed or unknown, then 400 VALIDATION_FAILED listing each field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email: 'not-an-email', role: 'admin' },
    });

    expect(res.statusCode).toBe(400);
    const fields = res.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['/email', '/password', '/role']));
  });

  it('when the email passes the HTTP format but not the event contract (an IP domain), then 400 INVALID_EMAIL', async () => {
    const res = await register(t.app, 'someone@192.0.2.1');

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_EMAIL' });
  });
});
