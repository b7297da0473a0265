import { Topics } from '@platform/events';
import { loadConfig } from '@platform/kit';
import { migrateUp, recordTopics, waitFor } from '@platform/test-kit';
import { buildApp } from '../../src/app';
import { configSchema } from '../../src/config';
import { usersCollection } from '../../src/data-access/user-model';
import { migrationsDir, testEnv } from '../helpers/app';
import { login, newEmail, register, strongPassword } from '../helpers/users';

describe('admin bootstrap from configuration', () => {
  const adminPassword = 'bootstrap-Admin-pass-42';

  async function start(env: Record<string, string>) {
    const config = loadConfig(configSchema, { ...env, LOG_LEVEL: 'silent' });
    const app = await buildApp(config);
    await app.ready();
    return app;
  }

  it('when ADMIN_EMAIL is new, then the admin is created once, however often the service starts', async () => {
    const email = newEmail('admin');
    const env = await testEnv({ ADMIN_EMAIL: email.toUpperCase(), ADMIN_PASSWORD: adminPassword });
    await migrateUp(migrationsDir, env.MONGO_URL!);

    const first = await start(env);
    await first.close();
    // The app created the topic; read it from the beginning.
    const topic = await recordTopics([`${env.KAFKA_TOPIC_PREFIX}${Topics.Users}`]);
    const second = await start(env);
    try {
      expect(await second.mongo.collection(usersCollection).find({ email }).toArray()).toEqual([
        expect.objectContaining({ role: 'admin' }),
      ]);
      expect((await login(second, email, adminPassword)).statusCode).toBe(200);
      const event = await waitFor(() => topic.events.find((m) => m.envelope.payload.email === email), {
        what: 'user.registered for the admin',
      });
      expect(event.envelope.payload).toMatchObject({ role: 'admin' });
      expect(topic.events.filter((m) => m.key === event.key)).toHaveLength(1);
    } finally {
      await second.close();
      await topic.stop();
    }
  });

  it('when ADMIN_EMAIL belongs to a customer with another password, then nobody is promoted (first to register the address does not become admin)', async () => {
    const email = newEmail('squatter');
    const env = await testEnv();
    await migrateUp(migrationsDir, env.MONGO_URL!);
    const plain = await start(env);
    await register(plain, email);
    await plain.close();

    const withAdmin = await start({ ...env, ADMIN_EMAIL: email, ADMIN_PASSWORD: adminPassword });
    try {
      expect(await withAdmin.mongo.collection(usersCollection).findOne({ email })).toMatchObject({
        role: 'customer',
      });
      const session = (await login(withAdmin, email, strongPassword)).json<{ accessToken: string }>();
      const users = await withAdmin.inject({
        method: 'GET',
        url: '/users',
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      expect(users.statusCode).toBe(403);
      expect((await login(withAdmin, email, adminPassword)).statusCode).toBe(401);
    } finally {
      await withAdmin.close();
    }
  });

  it('when ADMIN_EMAIL belongs to a customer whose password is ADMIN_PASSWORD, then that account is promoted', async () => {
    const email = newEmail('operator');
    const env = await testEnv();
    await migrateUp(migrationsDir, env.MONGO_URL!);
    const plain = await start(env);
    await register(plain, email, adminPassword);
    await plain.close();

    const withAdmin = await start({ ...env, ADMIN_EMAIL: email, ADMIN_PASSWORD: adminPassword });
    try {
      expect(await withAdmin.mongo.collection(usersCollection).findOne({ email })).toMatchObject({ role: 'admin' });
      expect((await login(withAdmin, email, adminPassword)).statusCode).toBe(200);
    } finally {
      await withAdmin.close();
    }
  });
});
