import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { EventTypes, payloadSchemas } from '@platform/events';
import { createHttpClient, HttpClientErrors } from '@platform/kit';
import type { CatalogProduct } from '../domain/ports';

export interface ProductClientOptions {
  baseUrl: string;
  timeoutMs: number;
  registry: Registry;
  logger: Logger;
}

export interface ProductClient {
  /** Products by id; unknown ids are absent. Rejects with the kit's 503/504/502 AppErrors when the upstream fails. */
  findProducts(ids: readonly string[], options?: { requestId?: string }): Promise<Map<string, CatalogProduct>>;
  close(): Promise<void>;
}

/**
 * The product facts an order snapshots, checked with the platform's product contract (ProductSnapshotV1): an
 * answer that breaks it (a malformed sku, a negative price) is the upstream's fault, never an order we store.
 */
function toCatalogProduct(body: unknown, id: string): CatalogProduct | undefined {
  const {
    id: productId,
    sku,
    name,
    category,
    priceMinor,
    currency,
  } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  // Only the contract's fields: the product service may add others (description, timestamps) at any time.
  const snapshot = { productId, sku, name, category, priceMinor, currency };
  const { error, value } = payloadSchemas[EventTypes.ProductUpdated].validate(snapshot, { convert: false });
  if (error || value.productId !== id) return undefined;
  return { id, sku: value.sku, priceMinor: value.priceMinor, currency: value.currency };
}

/** Lookups in flight per order: enough to price a large order quickly, few enough to leave room for others. */
const LOOKUPS_PER_ORDER = 8;
const PRODUCT_UPSTREAM = 'product-service';

export function createProductClient({ baseUrl, timeoutMs, registry, logger }: ProductClientOptions): ProductClient {
  const http = createHttpClient({
    name: PRODUCT_UPSTREAM,
    baseUrl,
    registry,
    logger,
    timeoutMs,
    // Two attempts: a retry rides out a dropped connection, more would only stretch the caller's wait.
    retry: { attempts: 2, maxRetryAfterMs: 1_000 },
    // A short queue lets a few orders wait for a slot instead of failing at once under a burst.
    bulkhead: { maxConcurrent: 20, maxQueue: 40 },
  });

  async function findProduct(id: string, headers: Record<string, string>): Promise<CatalogProduct | undefined> {
    const response = await http.request({ method: 'GET', path: `/products/${encodeURIComponent(id)}`, headers });
    if (response.status === 404) return undefined;
    if (response.status !== 200) {
      throw HttpClientErrors.UpstreamBadResponse(`${PRODUCT_UPSTREAM}: answered ${response.status} for product ${id}`);
    }
    const product = toCatalogProduct(response.body, id);
    if (!product) throw HttpClientErrors.UpstreamBadResponse(`${PRODUCT_UPSTREAM}: unexpected body for product ${id}`);
    return product;
  }

  return {
    async findProducts(ids, { requestId } = {}) {
      const headers: Record<string, string> = requestId ? { 'x-request-id': requestId } : {};
      const found = new Map<string, CatalogProduct>();
      // In small batches; the first failure ends the lookup, since the order cannot be priced anyway.
      for (let start = 0; start < ids.length; start += LOOKUPS_PER_ORDER) {
        const batch = ids.slice(start, start + LOOKUPS_PER_ORDER);
        const products = await Promise.all(batch.map((id) => findProduct(id, headers)));
        for (const product of products) if (product) found.set(product.id, product);
      }
      return found;
    },
    close: () => http.close(),
  };
}
