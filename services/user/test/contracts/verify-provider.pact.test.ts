import { createCallerSwap, listenForVerification, participants, verifyProvider } from '@platform/test-kit/pact';
import { startTestApp, type TestApp } from '../helpers/app';
import { registerAndLogin, registerUser } from '../helpers/users';

/**
 * The user service verified against the gateway's pact: the real app on a real database and Redis, accounts and
 * sessions created through its own API (its own signing key, so the tokens are the ones it really issues).
 */
describe('user-service provider verification', () => {
  let t: TestApp;
  let url: string;
  const caller = createCallerSwap();

  beforeAll(async () => {
    // The first admin, bootstrapped at start as in production.
    t = await startTestApp({
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: 'pact-admin@example.com',
      ADMIN_PASSWORD: 'quiet-orchard-lantern-42',
    });
    url = await listenForVerification(t.app);
  });
  afterAll(() => t?.close());

  async function adminSession(): Promise<void> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'pact-admin@example.com', password: 'quiet-orchard-lantern-42' },
    });
    if (res.statusCode !== 200) throw new Error(`admin login failed: ${res.body}`);
    caller.actAs(res.json<{ accessToken: string }>().accessToken);
  }

  it('honours every pact in which it is the provider', async () => {
    await verifyProvider({
      provider: participants.user,
      providerBaseUrl: url,
      requestFilter: caller.requestFilter,
      stateHandlers: {
        'a customer with email customer@example.com and password lantern-quiet-harbour-7': async () => {
          caller.actAs(undefined);
          // Registering a taken address changes nothing (202 either way), so the state can be set up repeatedly.
          await t.app.inject({
            method: 'POST',
            url: '/auth/register',
            payload: { email: 'customer@example.com', password: 'lantern-quiet-harbour-7' },
          });
        },
        'a customer with a session': async () => {
          const { session } = await registerAndLogin(t.app);
          caller.actAs(session.accessToken);
          return { refreshToken: session.refreshToken };
        },
        'an admin with a session': adminSession,
        'an admin with a session and a customer': async () => {
          const customerId = await registerUser(t.app);
          await adminSession();
          return { customerId };
        },
      },
    });
  });
});
