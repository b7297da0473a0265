import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { waitFor } from '@platform/test-kit';

export interface ProductBody {
  sku: string;
  name: string;
  description?: string;
  category: string;
  priceMinor: number;
  currency: string;
}

export interface ProductJson extends Required<ProductBody> {
  id: string;
  createdAt: string;
  updatedAt: string;
}

/** A valid create body with a sku no other test uses. */
export function productBody(overrides: Partial<ProductBody> = {}): ProductBody {
  return {
    sku: `SKU-${randomBytes(4).toString('hex').toUpperCase()}`,
    name: 'Blue mug',
    description: 'Stoneware, 300 ml',
    category: 'kitchen',
    priceMinor: 1299,
    currency: 'EUR',
    ...overrides,
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Creates a product as an admin and returns it; fails the test if the API refuses. */
export async function seedProduct(
  app: FastifyInstance,
  adminToken: string,
  overrides: Partial<ProductBody> = {},
): Promise<ProductJson> {
  const response = await app.inject({
    method: 'POST',
    url: '/products',
    headers: bearer(adminToken),
    payload: productBody(overrides),
  });
  if (response.statusCode !== 201) throw new Error(`seeding failed: ${response.statusCode} ${response.body}`);
  await outboxRelayed(app);
  return response.json<ProductJson>();
}

/**
 * Waits until the outbox relay has published every pending event and cleared the documents' outbox fields. FerretDB (the local
 * stand-in for MongoDB) applies concurrent updates of ONE document as read-modify-write without isolation, so a
 * test write racing the relay's own update of that document could be lost there; a real MongoDB is atomic.
 * Tests therefore let the relay finish before writing to the same product again.
 */
export async function outboxRelayed(app: FastifyInstance): Promise<void> {
  const pending = { outboxPending: { $exists: true } };
  await waitFor(async () => (await app.mongo.collection('products').countDocuments(pending)) === 0, {
    what: 'the outbox relay to publish pending product events',
  });
}

export function problemCode(response: LightMyRequestResponse): string | undefined {
  return response.json<{ code?: string }>().code;
}

/** The invalid fields a 400 lists, as "<in><field>". */
export function invalidFields(response: LightMyRequestResponse): string[] {
  const { errors = [] } = response.json<{ errors?: Array<{ in: string; field: string }> }>();
  return errors.map((e) => `${e.in}${e.field}`);
}
