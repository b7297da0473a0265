import type { RunningPlatform } from '../../packages/local-infra/src/platform';
import { createTestIssuer, objectIdHex, uniqueName, waitFor, type TestIssuer } from '@platform/test-kit';
import { placeOrder, startTestPlatform, stockedProduct } from '../../e2e/platform-fixture';
import { newClientIp, send } from './edge';

export interface Customer {
  id: string;
  email: string;
  password: string;
  token: string;
}

/** What every part of the suite works against: the platform, two gateway replicas, and who and what is in it. */
export interface SecurityContext {
  platform: RunningPlatform;
  /** Two gateway processes on one Redis, with the documented limits (only X-Forwarded-For from loopback believed). */
  gateways: [string, string];
  /** Signs with the user service's own key: tokens the platform accepts, with claims of the test's choosing. */
  issuer: TestIssuer;
  kid: string;
  privateKeyPem: string;
  admin: Customer;
  alice: Customer;
  bob: Customer;
  product: { id: string; sku: string };
  /** Two of Alice's orders. */
  orders: [string, string];
  /** A token of a user nobody else is: its per-user budget is its own. */
  freshToken(role?: 'customer' | 'admin'): Promise<string>;
}

/** The user service's issuer and audience (its defaults, which the gateway and services expect). */
export const ISSUER = 'platform-user-service';
export const AUDIENCE = 'platform-api';

async function loginThrough(gateway: string, email: string, password: string): Promise<Customer> {
  const login = await send(gateway, {
    target: '/api/v1/auth/login',
    body: { email, password },
    clientIp: newClientIp(),
  });
  if (login.status !== 200) throw new Error(`login of ${email}: ${login.status} ${login.body}`);
  const token = (JSON.parse(login.body) as { accessToken: string }).accessToken;
  const me = await send(gateway, { target: '/api/v1/users/me', token, clientIp: newClientIp() });
  return { id: (JSON.parse(me.body) as { id: string }).id, email, password, token };
}

export async function registerThrough(gateway: string): Promise<Customer> {
  const email = `${uniqueName('sec')}@security.test`;
  const password = 'a-long-and-unusual-passphrase';
  const registered = await send(gateway, {
    target: '/api/v1/auth/register',
    body: { email, password },
    clientIp: newClientIp(),
  });
  if (registered.status !== 202) throw new Error(`register: ${registered.status} ${registered.body}`);
  return loginThrough(gateway, email, password);
}

/**
 * The whole platform as real processes (e2e/platform-fixture.ts) and a second gateway replica, both with the
 * documented limits (README defaults) and the load balancer's address (loopback) as their trusted proxy, so each
 * case of the suite can be a client address of its own. Seeds an admin, two customers, a stocked product and two
 * orders of the first customer.
 */
export async function startSecurityPlatform(): Promise<SecurityContext> {
  const gatewayEnv = { TRUSTED_PROXIES: '127.0.0.1', SSE_HEARTBEAT_MS: '1000' };
  const platform = await startTestPlatform({ gateway: true, extra: { gateway: gatewayEnv } });
  try {
    const replica = await platform.startGatewayReplica(gatewayEnv);
    const gateways: [string, string] = [platform.urls.gateway!, replica];
    const admin = await loginThrough(gateways[0], platform.secrets.ADMIN_EMAIL, platform.secrets.ADMIN_PASSWORD);
    const [alice, bob] = [await registerThrough(gateways[0]), await registerThrough(gateways[1])];
    const product = await stockedProduct(platform, admin.token, 1000);
    const orders = [] as string[];
    for (let i = 0; i < 2; i++) {
      const order = await placeOrder(platform, alice.token, [{ productId: product.id, quantity: 1 }]);
      if (order.status !== 201) throw new Error(`order: ${order.status} ${JSON.stringify(order.body)}`);
      orders.push(order.body.id);
    }
    await waitFor(
      async () =>
        (await send(gateways[0], { target: '/openapi.json', clientIp: newClientIp() })).body.includes('/api/v1/stock'),
      { what: 'every service in the merged OpenAPI document', timeoutMs: 30_000 },
    );
    const privateKeyPem = platform.secrets.JWT_PRIVATE_KEY;
    const kid = platform.secrets.JWT_KEY_ID;
    const issuer = await createTestIssuer(ISSUER, AUDIENCE, { privateKeyPem, kid });
    return {
      platform,
      gateways,
      issuer,
      kid,
      privateKeyPem,
      admin,
      alice,
      bob,
      product,
      orders: orders as [string, string],
      freshToken: (role = 'customer') => issuer.token({ userId: objectIdHex(), role }),
    };
  } catch (err) {
    await platform.stop();
    throw err;
  }
}
