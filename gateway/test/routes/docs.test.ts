import SwaggerParser from '@apidevtools/swagger-parser';
import { createTestIssuer, waitFor } from '@platform/test-kit';
import type { OpenAPI } from 'openapi-types';
import { startStubServices, startTestGateway, type TestGateway } from '../helpers/gateway';

interface Doc {
  paths: Record<string, Record<string, { security?: unknown[]; responses?: unknown }>>;
  components: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
}

async function fetchDoc(gw: TestGateway): Promise<Doc> {
  const response = await gw.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  return response.json<Doc>();
}

describe('public OpenAPI document', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
    await gw.app.publicOpenApi.refresh();
  });
  afterAll(() => gw.close());

  it('when every service serves its document, then the merged one is valid OpenAPI 3 with every public route', async () => {
    const doc = await fetchDoc(gw);
    await expect(SwaggerParser.validate(structuredClone(doc) as OpenAPI.Document)).resolves.toBeDefined();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/users',
        '/api/v1/users/{id}',
        '/api/v1/products',
        '/api/v1/products/{id}',
        '/api/v1/orders',
        '/api/v1/orders/{id}',
        '/api/v1/orders/{id}/events',
        '/api/v1/stock',
        '/api/v1/stock/{id}',
      ]),
    );
    expect(Object.keys(doc.paths).filter((path) => !path.startsWith('/api/v1/'))).toEqual([]);
  });

  it('when merged, then every operation documents the edge answers (429, 502-504) as problem+json', async () => {
    const doc = await fetchDoc(gw);
    const operations = Object.values(doc.paths).flatMap((item) =>
      Object.values(item ?? {}).filter((op): op is { responses: Record<string, { content?: object }> } =>
        Boolean(op && typeof op === 'object' && 'responses' in op),
      ),
    );
    expect(operations.length).toBeGreaterThan(5);
    for (const op of operations) {
      expect(op.responses['429']?.content).toHaveProperty(['application/problem+json']);
    }
    expect(doc.paths['/api/v1/products']?.get?.responses).toHaveProperty('503');
    expect(doc.components.schemas).toHaveProperty('Problem');
  });

  it('when services define components of the same name, then each keeps its own and the refs follow', async () => {
    const doc = await fetchDoc(gw);
    expect(Object.keys(doc.components.schemas ?? {})).toEqual(
      expect.arrayContaining(['user_Item', 'product_Item', 'order_Item', 'inventory_Item']),
    );
    expect(JSON.stringify(doc.paths['/api/v1/products'])).toContain('#/components/schemas/product_Item');
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
    expect(doc.paths['/api/v1/orders/{id}']?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/api/v1/orders/{id}/events']?.get?.security).toEqual([{ bearerAuth: [] }]);
  });

  it('when /docs is opened, then Swagger UI is served and renders the merged document', async () => {
    const page = await gw.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);

    const shown = await gw.app.inject({ method: 'GET', url: '/docs/json' });
    expect(Object.keys(shown.json<Doc>().paths)).toEqual(
      expect.arrayContaining(['/api/v1/orders/{id}/events', '/api/v1/products/{id}']),
    );
  });
});

describe('public OpenAPI document when a service is down at start', () => {
  it('when the service comes back, then its routes appear without a restart', async () => {
    const stubs = await startStubServices();
    await stubs.inventory.stop();
    const issuer = await createTestIssuer();
    const gw = await startTestGateway({ OPENAPI_RETRY_MS: '200', BREAKER_RESET_TIMEOUT_MS: '200' }, { stubs, issuer });
    try {
      await gw.app.publicOpenApi.refresh();
      expect(gw.app.publicOpenApi.missing()).toEqual(['inventory']);
      expect(Object.keys((await fetchDoc(gw)).paths)).not.toContain('/api/v1/stock');

      await stubs.inventory.restart();
      await waitFor(async () => Object.keys((await fetchDoc(gw)).paths).includes('/api/v1/stock'), {
        what: 'the inventory routes to appear',
      });
      expect(gw.app.publicOpenApi.missing()).toEqual([]);
    } finally {
      await gw.close();
      await stubs.close();
    }
  });
});
