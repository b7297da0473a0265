import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { objectIdHex } from '@platform/test-kit';

export interface StubProduct {
  id: string;
  sku: string;
  name: string;
  category: string;
  priceMinor: number;
  currency: string;
}

/**
 * A stand-in for the product service, which these tests do not run: a real HTTP server on 127.0.0.1 that answers
 * GET /products/:id like the product service's contract says (the product, or a 404 problem).
 */
export interface ProductStub {
  url: string;
  add(product?: Partial<StubProduct>): StubProduct;
  /** Answer every request with this status (e.g. 503) until called again with undefined. */
  failWith(status: number | undefined): void;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

let skuCounter = 0;

export async function startProductStub(): Promise<ProductStub> {
  const products = new Map<string, StubProduct>();
  let failure: number | undefined;
  let requests = 0;

  const server = http.createServer(function answerProductRequest(req, res) {
    requests += 1;
    const match = /^\/products\/([^/?]+)$/.exec(req.url ?? '');
    const send = (status: number, body: unknown, type = 'application/json') =>
      res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
    if (failure !== undefined) return send(failure, { code: 'STUB_FAILURE' }, 'application/problem+json');
    const product = req.method === 'GET' && match ? products.get(decodeURIComponent(match[1]!)) : undefined;
    if (!product) return send(404, { code: 'PRODUCT_NOT_FOUND', status: 404 }, 'application/problem+json');
    return send(200, { ...product, description: 'served by the test stub', createdAt: new Date().toISOString() });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    add(overrides = {}) {
      skuCounter += 1;
      const product: StubProduct = {
        id: objectIdHex(),
        sku: `SKU-${Date.now().toString(36).toUpperCase()}-${skuCounter}`,
        name: `Product ${skuCounter}`,
        category: 'tests',
        priceMinor: 1_250,
        currency: 'EUR',
        ...overrides,
      };
      products.set(product.id, product);
      return product;
    },
    failWith(status) {
      failure = status;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
