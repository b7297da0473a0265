import type { RunningPlatform } from '../packages/local-infra/src/platform';
import { call, uniqueName, waitFor, type ApiResponse } from '@platform/test-kit';
import { startTestPlatform, type TestPlatform, type TestPlatformOptions } from '@platform/test-kit/platform';

export { call, startTestPlatform, type ApiResponse, type TestPlatform, type TestPlatformOptions };

export async function login(platform: RunningPlatform, email: string, password: string): Promise<string> {
  const res = await call<{ accessToken: string }>(`${platform.urls.user}/auth/login`, { body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

export async function registerCustomer(platform: RunningPlatform): Promise<string> {
  const email = `${uniqueName('customer')}@e2e.test`;
  const password = 'a-long-and-unusual-passphrase';
  const res = await call(`${platform.urls.user}/auth/register`, { body: { email, password } });
  if (res.status !== 202) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return login(platform, email, password);
}

/** Creates a product (admin) and waits for inventory to open its stock record from product.created, then restocks. */
export async function stockedProduct(
  platform: RunningPlatform,
  adminToken: string,
  units: number,
): Promise<{ id: string; sku: string }> {
  const sku = uniqueName('SKU')
    .toUpperCase()
    .replace(/[^A-Z0-9-]/g, '')
    .slice(0, 30);
  const created = await call<{ id: string }>(`${platform.urls.product}/products`, {
    token: adminToken,
    body: { sku, name: `Product ${sku}`, description: 'e2e', category: 'e2e', priceMinor: 1250, currency: 'EUR' },
  });
  if (created.status !== 201)
    throw new Error(`create product failed: ${created.status} ${JSON.stringify(created.body)}`);
  await waitFor(
    async () => (await call(`${platform.urls.inventory}/stock/${sku}`, { token: adminToken })).status === 200,
    {
      what: `inventory to create stock for ${sku} from product.created`,
      timeoutMs: 30_000,
    },
  );
  if (units > 0) {
    const restocked = await call(`${platform.urls.inventory}/stock/${sku}/restock`, {
      token: adminToken,
      body: { quantity: units },
    });
    if (restocked.status !== 200)
      throw new Error(`restock failed: ${restocked.status} ${JSON.stringify(restocked.body)}`);
  }
  return { id: created.body.id, sku };
}

export async function available(platform: RunningPlatform, token: string, sku: string): Promise<number> {
  return (await call<{ available: number }>(`${platform.urls.inventory}/stock/${sku}`, { token })).body.available;
}

export async function placeOrder(
  platform: RunningPlatform,
  token: string,
  lines: Array<{ productId: string; quantity: number }>,
): Promise<ApiResponse<{ id: string; status: string }>> {
  return call(`${platform.urls.order}/orders`, {
    token,
    body: { lines },
    headers: { 'idempotency-key': uniqueName('idem') },
  });
}

export async function finalStatus(
  platform: RunningPlatform,
  token: string,
  orderId: string,
  timeoutMs = 60_000,
): Promise<string> {
  return waitFor(
    async () => {
      const { body } = await call<{ status: string }>(`${platform.urls.order}/orders/${orderId}`, { token });
      return body.status === 'PENDING' ? undefined : body.status;
    },
    { what: `order ${orderId} to leave PENDING`, timeoutMs },
  );
}
