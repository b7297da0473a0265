import type { FastifyInstance } from 'fastify';
import { MatchersV3 } from '@pact-foundation/pact';
import { EventTypes } from '@platform/events';
import { createTestIssuer, freePort, objectIdHex, type TestIssuer } from '@platform/test-kit';
import {
  consumerPact,
  eventExample,
  eventMessage,
  eventMetadata,
  isoInstant,
  objectIdLike,
  participants,
  problemBody,
  problemContentType,
  receivedEvent,
} from '@platform/test-kit/pact';
import { buildApp } from '../../src/app';
import { handleOrderEvent } from '../../src/consumers/order-status';
import type { OrderStatusUpdate } from '../../src/domain/order-status';
import { gatewayConfig, type UpstreamUrls } from '../helpers/gateway';

/**
 * The gateway as consumer of the four services: the real gateway (buildApp) receives a public API call and forwards
 * it to a Pact mock server standing in for the service, which checks the forwarded request against the
 * interaction; the test then checks that the client got the service's answer. The order events it turns into SSE
 * updates are message pacts with the order service.
 */
const { like, eachLike, regex, fromProviderState, integer } = MatchersV3;

const upstreams = ['user', 'product', 'order', 'inventory'] as const;
type Upstream = (typeof upstreams)[number];

/** Any bearer token: the gateway forwards the caller's; a fixed example keeps the pact file stable between runs. */
const bearer = () => regex('^Bearer [A-Za-z0-9._-]+$', 'Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJleGFtcGxlIn0.c2ln');
/** The kit's problem+json answer; the content type is set after the body, which would otherwise say application/json. */
interface ResponseBuilder {
  jsonBody(body: unknown): { headers(headers: Record<string, string>): unknown };
}
const problem = (b: ResponseBuilder, code: string, status: number) =>
  b.jsonBody(problemBody(code, status)).headers({ 'Content-Type': problemContentType });

const productExample = {
  id: '6650f0c2a1b2c3d4e5f60718',
  sku: 'MUG-BLUE-01',
  name: 'Blue mug',
  description: 'A blue mug',
  category: 'kitchen',
  priceMinor: 1250,
  currency: 'EUR',
  createdAt: '2026-11-29T10:00:00.000Z',
  updatedAt: '2026-11-29T10:00:00.000Z',
};
const productBody = {
  id: objectIdLike(productExample.id),
  sku: regex('^[A-Z0-9][A-Z0-9-]{1,39}$', productExample.sku),
  name: like(productExample.name),
  description: like(productExample.description),
  category: like(productExample.category),
  priceMinor: integer(productExample.priceMinor),
  currency: regex('^[A-Z]{3}$', productExample.currency),
  createdAt: isoInstant(productExample.createdAt),
  updatedAt: isoInstant(productExample.updatedAt),
};
const orderBody = (status: string) => ({
  id: objectIdLike('6650f0c2a1b2c3d4e5f60720'),
  userId: objectIdLike('6650f0c2a1b2c3d4e5f60721'),
  status,
  lines: eachLike({
    productId: objectIdLike(productExample.id),
    sku: like(productExample.sku),
    quantity: integer(1),
    unitPriceMinor: integer(1250),
  }),
  currency: regex('^[A-Z]{3}$', 'EUR'),
  totalMinor: integer(1250),
  createdAt: isoInstant('2026-11-29T10:00:00.000Z'),
  updatedAt: isoInstant('2026-11-29T10:00:00.000Z'),
});
const stockBody = (available: number) => ({
  sku: like('MUG-BLUE-01'),
  productId: objectIdLike(productExample.id),
  available: integer(available),
  reserved: integer(0),
});
const sessionBody = {
  accessToken: like('eyJhbGciOiJFZERTQSJ9.e30.sig'),
  tokenType: 'Bearer',
  expiresIn: integer(900),
  refreshToken: like('rt_0123456789abcdef0123456789abcdef'),
  refreshTokenExpiresAt: isoInstant('2026-12-29T10:00:00.000Z'),
};

describe('gateway -> services (consumer pacts)', () => {
  const ports = {} as Record<Upstream, number>;
  let app: FastifyInstance;
  let issuer: TestIssuer;
  let customer: string;
  let admin: string;

  beforeAll(async () => {
    for (const name of upstreams) ports[name] = await freePort();
    const urls = Object.fromEntries(
      upstreams.map((name) => [name, { url: `http://127.0.0.1:${ports[name]}` }]),
    ) as UpstreamUrls;
    issuer = await createTestIssuer();
    // The mock servers run only inside each interaction: no OpenAPI refresh may reach them in between, and a single
    // attempt per call, so the mock sees exactly the requests the client made.
    const config = gatewayConfig(urls, {
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      OPENAPI_REFRESH_MS: '86400000',
      OPENAPI_RETRY_MS: '86400000',
      UPSTREAM_RETRY_ATTEMPTS: '1',
      UPSTREAM_TIMEOUT_MS: '5000',
      BREAKER_VOLUME_THRESHOLD: '1000',
    });
    app = await buildApp(config, { jwks: issuer.jwks });
    await app.ready();
    customer = await issuer.token({ userId: objectIdHex(), role: 'customer' });
    admin = await issuer.token({ userId: objectIdHex(), role: 'admin' });
  });

  afterAll(async () => {
    await app?.close();
  });

  const pact = (provider: Upstream) => consumerPact(participants.gateway, participants[provider], ports[provider]);

  /** The client's call through the gateway; headers and body as a front end sends them. */
  async function viaGateway(method: string, url: string, token?: string, body?: unknown, headers = {}) {
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: response.statusCode, body: response.body ? (response.json() as Record<string, unknown>) : {} };
  }

  describe('user-service', () => {
    it('forwards a registration', async () => {
      await pact('user')
        .addInteraction()
        .uponReceiving('a registration')
        .withRequest('POST', '/auth/register', (b) =>
          b.headers({ 'content-type': 'application/json' }).jsonBody({
            email: like('new.customer@example.com'),
            password: like('a-long-and-unusual-passphrase'),
          }),
        )
        .willRespondWith(202, (b) => b.jsonBody({ status: 'accepted', message: like('log in with it') }))
        .executeTest(async () => {
          const res = await viaGateway('POST', '/api/v1/auth/register', undefined, {
            email: 'new.customer@example.com',
            password: 'a-long-and-unusual-passphrase',
          });
          expect(res).toMatchObject({ status: 202, body: { status: 'accepted' } });
        });
    });

    it('forwards a login', async () => {
      await pact('user')
        .addInteraction()
        .given('a customer with email customer@example.com and password lantern-quiet-harbour-7')
        .uponReceiving('a login with the right password')
        .withRequest('POST', '/auth/login', (b) =>
          b.headers({ 'content-type': 'application/json' }).jsonBody({
            email: 'customer@example.com',
            password: 'lantern-quiet-harbour-7',
          }),
        )
        .willRespondWith(200, (b) => b.headers({ 'cache-control': 'no-store' }).jsonBody(sessionBody))
        .executeTest(async () => {
          const res = await viaGateway('POST', '/api/v1/auth/login', undefined, {
            email: 'customer@example.com',
            password: 'lantern-quiet-harbour-7',
          });
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({ tokenType: 'Bearer' });
        });
    });

    it('forwards a refresh', async () => {
      await pact('user')
        .addInteraction()
        .given('a customer with a session')
        .uponReceiving('a refresh with a current refresh token')
        .withRequest('POST', '/auth/refresh', (b) =>
          b.headers({ 'content-type': 'application/json' }).jsonBody({
            refreshToken: fromProviderState('${refreshToken}', 'rt_0123456789abcdef0123456789abcdef'),
          }),
        )
        .willRespondWith(200, (b) => b.jsonBody(sessionBody))
        .executeTest(async () => {
          const res = await viaGateway('POST', '/api/v1/auth/refresh', undefined, {
            refreshToken: 'rt_0123456789abcdef0123456789abcdef',
          });
          expect(res.status).toBe(200);
        });
    });

    it('forwards a logout with the caller token', async () => {
      await pact('user')
        .addInteraction()
        .given('a customer with a session')
        .uponReceiving('a logout')
        .withRequest('POST', '/auth/logout', (b) =>
          b
            .headers({ authorization: bearer(), 'content-type': 'application/json' })
            .jsonBody({ refreshToken: fromProviderState('${refreshToken}', 'rt_0123456789abcdef0123456789abcdef') }),
        )
        .willRespondWith(204)
        .executeTest(async () => {
          const res = await viaGateway('POST', '/api/v1/auth/logout', customer, {
            refreshToken: 'rt_0123456789abcdef0123456789abcdef',
          });
          expect(res.status).toBe(204);
        });
    });

    it('forwards the caller account read', async () => {
      await pact('user')
        .addInteraction()
        .given('a customer with a session')
        .uponReceiving('a read of the caller account')
        .withRequest('GET', '/users/me', (b) => b.headers({ authorization: bearer() }))
        .willRespondWith(200, (b) =>
          b.jsonBody({
            id: objectIdLike('6650f0c2a1b2c3d4e5f60721'),
            email: like('customer@example.com'),
            role: 'customer',
            createdAt: isoInstant('2026-11-29T10:00:00.000Z'),
          }),
        )
        .executeTest(async () => {
          const res = await viaGateway('GET', '/api/v1/users/me', customer);
          expect(res).toMatchObject({ status: 200, body: { role: 'customer' } });
        });
    });

    it('forwards an admin listing of accounts', async () => {
      await pact('user')
        .addInteraction()
        .given('an admin with a session')
        .uponReceiving('an admin listing accounts')
        .withRequest('GET', '/users', (b) => b.query({ limit: '10' }).headers({ authorization: bearer() }))
        .willRespondWith(200, (b) =>
          b.jsonBody({
            items: eachLike({
              id: objectIdLike('6650f0c2a1b2c3d4e5f60721'),
              email: like('customer@example.com'),
              role: regex('^(customer|admin)$', 'admin'),
              createdAt: isoInstant('2026-11-29T10:00:00.000Z'),
            }),
            nextCursor: null,
          }),
        )
        .executeTest(async () => {
          const res = await viaGateway('GET', '/api/v1/users?limit=10', admin);
          expect(res.status).toBe(200);
        });
    });

    it('forwards a role change', async () => {
      await pact('user')
        .addInteraction()
        .given('an admin with a session and a customer')
        .uponReceiving('an admin making a customer an admin')
        .withRequest(
          'PATCH',
          fromProviderState('/users/${customerId}/role', '/users/6650f0c2a1b2c3d4e5f60721/role'),
          (b) => b.headers({ authorization: bearer(), 'content-type': 'application/json' }).jsonBody({ role: 'admin' }),
        )
        .willRespondWith(200, (b) =>
          b.jsonBody({
            id: objectIdLike('6650f0c2a1b2c3d4e5f60721'),
            email: like('customer@example.com'),
            role: 'admin',
            createdAt: isoInstant('2026-11-29T10:00:00.000Z'),
          }),
        )
        .executeTest(async () => {
          const res = await viaGateway('PATCH', '/api/v1/users/6650f0c2a1b2c3d4e5f60721/role', admin, {
            role: 'admin',
          });
          expect(res).toMatchObject({ status: 200, body: { role: 'admin' } });
        });
    });

    it('forwards the key set', async () => {
      await pact('user')
        .addInteraction()
        .uponReceiving('a read of the signing key set')
        .withRequest('GET', '/.well-known/jwks.json')
        .willRespondWith(200, (b) =>
          b.jsonBody({
            keys: eachLike({
              kty: 'OKP',
              crv: 'Ed25519',
              x: like('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo'),
              kid: like('dev-1'),
              alg: 'EdDSA',
              use: 'sig',
            }),
          }),
        )
        .executeTest(async () => {
          const res = await viaGateway('GET', '/.well-known/jwks.json');
          expect(res.status).toBe(200);
        });
    });
  });

  describe('product-service', () => {
    it('forwards a catalogue page', async () => {
      await pact('product')
        .addInteraction()
        .given('a product with sku MUG-BLUE-01')
        .uponReceiving('a catalogue page')
        .withRequest('GET', '/products', (b) => b.query({ limit: '20', sort: 'price' }))
        .willRespondWith(200, (b) =>
          b.headers({ etag: like('W/"abc"') }).jsonBody({ items: eachLike(productBody), nextCursor: null }),
        )
        .executeTest(async () => {
          const res = await viaGateway('GET', '/api/v1/products?limit=20&sort=price');
          expect(res.status).toBe(200);
        });
    });

    it('forwards a product read by id', async () => {
      await pact('product')
        .addInteraction()
        .given('a product with sku MUG-BLUE-01')
        .uponReceiving('a read of a product by id')
        .withRequest('GET', fromProviderState('/products/${productId}', `/products/${productExample.id}`))
        .willRespondWith(200, (b) => b.headers({ etag: like('"6650f0c2a1b2c3d4e5f60718.1"') }).jsonBody(productBody))
        .executeTest(async () => {
          const res = await viaGateway('GET', `/api/v1/products/${productExample.id}`);
          expect(res).toMatchObject({ status: 200, body: { sku: 'MUG-BLUE-01' } });
        });
    });

    it('forwards a product read by sku', async () => {
      await pact('product')
        .addInteraction()
        .given('a product with sku MUG-BLUE-01')
        .uponReceiving('a read of a product by sku')
        .withRequest('GET', '/products/sku/MUG-BLUE-01')
        .willRespondWith(200, (b) => b.jsonBody(productBody))
        .executeTest(async () => {
          const res = await viaGateway('GET', '/api/v1/products/sku/MUG-BLUE-01');
          expect(res.status).toBe(200);
        });
    });

    it('forwards the 404 of an unknown product', async () => {
      await pact('product')
        .addInteraction()
        .uponReceiving('a read of a product that does not exist')
        .withRequest('GET', '/products/000000000000000000000000')
        .willRespondWith(404, (b) => problem(b, 'PRODUCT_NOT_FOUND', 404))
        .executeTest(async () => {
          const res = await viaGateway('GET', '/api/v1/products/000000000000000000000000');
          expect(res).toMatchObject({ status: 404, body: { code: 'PRODUCT_NOT_FOUND' } });
        });
    });

    it('forwards a product creation by an admin', async () => {
      await pact('product')
        .addInteraction()
        .given('an admin with a session')
        .uponReceiving('an admin creating a product')
        .withRequest('POST', '/products', (b) =>
          b.headers({ authorization: bearer(), 'content-type': 'application/json' }).jsonBody({
            sku: 'LAMP-NEW-01',
            name: 'New lamp',
            category: 'lighting',
            priceMinor: 4990,
            currency: 'EUR',
          }),
        )
        .willRespondWith(201, (b) =>
          b.headers({ location: regex('^/products/[0-9a-f]{24}$', `/products/${productExample.id}`) }).jsonBody({
            ...productBody,
            sku: 'LAMP-NEW-01',
            priceMinor: 4990,
          }),
        )
        .executeTest(async () => {
          const res = await viaGateway('POST', '/api/v1/products', admin, {
            sku: 'LAMP-NEW-01',
            name: 'New lamp',
            category: 'lighting',
            priceMinor: 4990,
            currency: 'EUR',
          });
          expect(res).toMatchObject({ status: 201, body: { sku: 'LAMP-NEW-01' } });
        });
    });

    it('forwards a product change by an admin', async () => {
      await pact('product')
        .addInteraction()
        .given('an admin with a session and a product with sku MUG-BLUE-01')
        .uponReceiving('an admin changing a price')
        .withRequest('PATCH', fromProviderState('/products/${productId}', `/products/${productExample.id}`), (b) =>
          b.headers({ authorization: bearer(), 'content-type': 'application/json' }).jsonBody({ priceMinor: 1500 }),
        )
        .willRespondWith(200, (b) => b.jsonBody({ ...productBody, priceMinor: 1500 }))
        .executeTest(async () => {
          const res = await viaGateway('PATCH', `/api/v1/products/${productExample.id}`, admin, { priceMinor: 1500 });
          expect(res).toMatchObject({ status: 200, body: { priceMinor: 1500 } });
        });
    });

    it('forwards a product deletion by an admin', async () => {
      await pact('product')
        .addInteraction()
        .given('an admin with a session and a product with sku MUG-BLUE-01')
        .uponReceiving('an admin deleting a product')
        .withRequest('DELETE', fromProviderState('/products/${productId}', `/products/${productExample.id}`), (b) =>
          b.headers({ authorization: bearer() }),
        )
        .willRespondWith(204)
        .executeTest(async () => {
          const res = await viaGateway('DELETE', `/api/v1/products/${productExample.id}`, admin);
          expect(res.status).toBe(204);
        });
    });
  });

  describe('order-service', () => {
    it('forwards an order placement with its idempotency key', async () => {
      await pact('order')
        .addInteraction()
        .given('a customer with a session and a product in the catalogue')
        .uponReceiving('a customer placing an order')
        .withRequest('POST', '/orders', (b) =>
          b
            .headers({
              authorization: bearer(),
              'content-type': 'application/json',
              'idempotency-key': like('order-key-0001'),
            })
            .jsonBody({
              lines: [{ productId: fromProviderState('${productId}', productExample.id), quantity: 1 }],
            }),
        )
        .willRespondWith(201, (b) => b.jsonBody(orderBody('PENDING')))
        .executeTest(async () => {
          const res = await viaGateway(
            'POST',
            '/api/v1/orders',
            customer,
            { lines: [{ productId: productExample.id, quantity: 1 }] },
            { 'idempotency-key': 'order-key-0001' },
          );
          expect(res).toMatchObject({ status: 201, body: { status: 'PENDING' } });
        });
    });

    it('forwards a listing of my orders', async () => {
      await pact('order')
        .addInteraction()
        .given('a customer with a session and a PENDING order')
        .uponReceiving('a customer listing their orders')
        .withRequest('GET', '/orders', (b) => b.query({ limit: '10' }).headers({ authorization: bearer() }))
        .willRespondWith(200, (b) => b.jsonBody({ items: eachLike(orderBody('PENDING')), nextCursor: null }))
        .executeTest(async () => {
          const res = await viaGateway('GET', '/api/v1/orders?limit=10', customer);
          expect(res.status).toBe(200);
        });
    });

    it('forwards an order read (also how the status stream reads the current status)', async () => {
      await pact('order')
        .addInteraction()
        .given('a customer with a session and a PENDING order')
        .uponReceiving('a customer reading their order')
        .withRequest('GET', fromProviderState('/orders/${orderId}', '/orders/6650f0c2a1b2c3d4e5f60720'), (b) =>
          b.headers({ authorization: bearer() }),
        )
        .willRespondWith(200, (b) => b.jsonBody(orderBody('PENDING')))
        .executeTest(async () => {
          const res = await viaGateway('GET', '/api/v1/orders/6650f0c2a1b2c3d4e5f60720', customer);
          expect(res).toMatchObject({ status: 200, body: { status: 'PENDING' } });
        });
    });

    it("forwards the 404 of someone else's order", async () => {
      await pact('order')
        .addInteraction()
        .given('a customer with a session and an order of another customer')
        .uponReceiving("a customer reading someone else's order")
        .withRequest('GET', fromProviderState('/orders/${orderId}', '/orders/6650f0c2a1b2c3d4e5f60722'), (b) =>
          b.headers({ authorization: bearer() }),
        )
        .willRespondWith(404, (b) => problem(b, 'ORDER_NOT_FOUND', 404))
        .executeTest(async () => {
          const res = await viaGateway('GET', '/api/v1/orders/6650f0c2a1b2c3d4e5f60722', customer);
          expect(res).toMatchObject({ status: 404, body: { code: 'ORDER_NOT_FOUND' } });
        });
    });

    it('forwards a cancellation', async () => {
      await pact('order')
        .addInteraction()
        .given('a customer with a session and a PENDING order')
        .uponReceiving('a customer cancelling their order')
        .withRequest(
          'POST',
          fromProviderState('/orders/${orderId}/cancel', '/orders/6650f0c2a1b2c3d4e5f60720/cancel'),
          (b) => b.headers({ authorization: bearer() }),
        )
        .willRespondWith(200, (b) =>
          b.jsonBody({ ...orderBody('CANCELLED'), cancelledBy: objectIdLike('6650f0c2a1b2c3d4e5f60721') }),
        )
        .executeTest(async () => {
          const res = await viaGateway('POST', '/api/v1/orders/6650f0c2a1b2c3d4e5f60720/cancel', customer);
          expect(res).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
        });
    });

    describe('order events (message pacts)', () => {
      const cases = [
        { type: EventTypes.OrderCreated, status: 'PENDING', extra: {} },
        { type: EventTypes.OrderConfirmed, status: 'CONFIRMED', extra: {} },
        { type: EventTypes.OrderRejected, status: 'REJECTED', extra: { reason: 'INSUFFICIENT_STOCK' } },
        { type: EventTypes.OrderCancelled, status: 'CANCELLED', extra: {} },
      ] as const;

      it.each(cases)('turns $type into a $status status update', async ({ type, status, extra }) => {
        const example = eventExample(type, extra);
        await pact('order')
          .addAsynchronousInteraction()
          .expectsToReceive(`an ${type} event`, (b) =>
            b.withJSONContent(eventMessage(type, example)).withMetadata(eventMetadata(type)),
          )
          .executeTest(async (message) => {
            const published: OrderStatusUpdate[] = [];
            await handleOrderEvent(receivedEvent(message.contents.content) as never, {
              publish: async (update) => void published.push(update),
            });
            expect(published).toEqual([expect.objectContaining({ orderId: example.orderId, status, ...extra })]);
          });
      });
    });
  });

  describe('inventory-service', () => {
    it('forwards a stock read', async () => {
      await pact('inventory')
        .addInteraction()
        .given('a customer with a session and 10 units of MUG-BLUE-01')
        .uponReceiving('a read of the stock of a sku')
        .withRequest('GET', '/stock/MUG-BLUE-01', (b) => b.headers({ authorization: bearer() }))
        .willRespondWith(200, (b) => b.jsonBody(stockBody(10)))
        .executeTest(async () => {
          const res = await viaGateway('GET', '/api/v1/stock/MUG-BLUE-01', customer);
          expect(res).toMatchObject({ status: 200, body: { available: 10 } });
        });
    });

    it('forwards a restock by an admin', async () => {
      await pact('inventory')
        .addInteraction()
        .given('an admin with a session and 10 units of MUG-BLUE-01')
        .uponReceiving('an admin restocking a sku')
        .withRequest('POST', '/stock/MUG-BLUE-01/restock', (b) =>
          b.headers({ authorization: bearer(), 'content-type': 'application/json' }).jsonBody({ quantity: 5 }),
        )
        .willRespondWith(200, (b) => b.jsonBody(stockBody(15)))
        .executeTest(async () => {
          const res = await viaGateway('POST', '/api/v1/stock/MUG-BLUE-01/restock', admin, { quantity: 5 });
          expect(res).toMatchObject({ status: 200, body: { available: 15 } });
        });
    });

    it('forwards a correction by an admin', async () => {
      await pact('inventory')
        .addInteraction()
        .given('an admin with a session and 10 units of MUG-BLUE-01')
        .uponReceiving('an admin correcting the stock of a sku')
        .withRequest('POST', '/stock/MUG-BLUE-01/adjust', (b) =>
          b
            .headers({ authorization: bearer(), 'content-type': 'application/json' })
            .jsonBody({ delta: -3, reason: 'broken in the warehouse' }),
        )
        .willRespondWith(200, (b) => b.jsonBody(stockBody(7)))
        .executeTest(async () => {
          const res = await viaGateway('POST', '/api/v1/stock/MUG-BLUE-01/adjust', admin, {
            delta: -3,
            reason: 'broken in the warehouse',
          });
          expect(res).toMatchObject({ status: 200, body: { available: 7 } });
        });
    });
  });
});
