import { mergeOpenApi, type OpenApiDocument } from '../../src/domain/openapi-merge';

const base: OpenApiDocument = {
  openapi: '3.0.3',
  info: { title: 'Platform API', version: '1.0.0' },
  paths: { '/api/v1/orders/{id}/events': { get: { responses: {} } } },
  components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
};

function serviceDoc(schemaName: string, path: string): OpenApiDocument {
  return {
    openapi: '3.0.3',
    info: { title: 'svc', version: '1' },
    tags: [{ name: 'orders' }],
    paths: {
      [path]: {
        get: { security: [{ bearerAuth: [] }], responses: { 200: { $ref: `#/components/schemas/${schemaName}` } } },
      },
      '/health/ready': { get: { responses: {} } },
    },
    components: {
      schemas: {
        [schemaName]: { type: 'object', properties: { self: { $ref: `#/components/schemas/${schemaName}` } } },
      },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
    },
  };
}

describe('mergeOpenApi', () => {
  const merged = mergeOpenApi(base, [
    {
      name: 'order',
      document: serviceDoc('Thing', '/orders'),
      publicPath: (p) => (p.startsWith('/orders') ? `/api/v1${p}` : undefined),
    },
    {
      name: 'product',
      document: serviceDoc('Thing', '/products'),
      publicPath: (p) => (p.startsWith('/products') ? `/api/v1${p}` : undefined),
    },
  ]);

  it('when services are merged, then their public paths appear under the prefix and internal ones do not', () => {
    expect(Object.keys(merged.paths ?? {})).toEqual([
      '/api/v1/orders',
      '/api/v1/orders/{id}/events',
      '/api/v1/products',
    ]);
  });

  it('when two services name a component alike, then both are kept, namespaced, with their refs (nested too)', () => {
    expect(merged.components?.schemas).toEqual({
      order_Thing: { type: 'object', properties: { self: { $ref: '#/components/schemas/order_Thing' } } },
      product_Thing: { type: 'object', properties: { self: { $ref: '#/components/schemas/product_Thing' } } },
    });
    expect(JSON.stringify(merged.paths?.['/api/v1/products'])).toContain('#/components/schemas/product_Thing');
  });

  it('when merged, then security schemes are shared, operation security is kept and tags are united', () => {
    expect(merged.components?.securitySchemes).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer' } });
    expect((merged.paths?.['/api/v1/orders']?.get as { security: unknown }).security).toEqual([{ bearerAuth: [] }]);
    expect(merged.tags).toEqual([{ name: 'orders' }]);
  });
});
