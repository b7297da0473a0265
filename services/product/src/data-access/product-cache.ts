import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CachedProduct, ProductCache } from '../domain/ports';
import type { Product, ProductListQuery, ProductPage } from '../domain/product';
import { cacheCall, type CacheLookupKind, type CacheResult } from './cache-call';
import { putIfNewerScript } from './put-if-newer';

export interface ProductCacheOptions {
  redis: Redis;
  /** Namespaces every key of this cache (the Redis is shared with other services). */
  keyPrefix: string;
  ttlSeconds: number;
  listTtlSeconds: number;
  timeoutMs: number;
  log: { warn(obj: object, msg: string): void };
  onLookup(lookup: CacheLookupKind, result: CacheResult): void;
}

type Entry = { state: 'present'; product: Product } | { state: 'deleted' };

/** JSON turns dates into strings; a cached product must come back exactly as the repository returns it. */
function reviveProduct(product: Product): Product {
  return { ...product, createdAt: new Date(product.createdAt), updatedAt: new Date(product.updatedAt) };
}

function decodeEntry(raw: string): Entry {
  const entry = JSON.parse(raw.slice(raw.indexOf('|') + 1)) as Entry;
  return entry.state === 'present' ? { state: 'present', product: reviveProduct(entry.product) } : entry;
}

function decodePage(raw: string): ProductPage {
  const page = JSON.parse(raw) as ProductPage;
  return { items: page.items.map(reviveProduct), nextCursor: page.nextCursor };
}

/** Every parameter that shapes a page, in a fixed order, so equal queries share one entry. */
function listQueryHash(query: ProductListQuery): string {
  const { sort, limit, cursor, category, minPrice, maxPrice, q } = query;
  const canonical = JSON.stringify([sort, limit, cursor, category, minPrice, maxPrice, q].map((v) => v ?? null));
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Redis read-through cache for single products (by id and by sku, both holding the whole product) and for list
 * pages. A product entry is `<version>|<json>` and is only ever replaced by a newer version, so a reader that
 * loaded an old version before a write cannot overwrite what the write stored. List pages live under a
 * generation number that every write increments. Redis failures and timeouts are logged, counted and are misses.
 */
export function createProductCache(options: ProductCacheOptions): ProductCache {
  const { redis, keyPrefix, ttlSeconds, listTtlSeconds, onLookup } = options;
  const putIfNewer = putIfNewerScript(redis);
  const attempt = cacheCall(options);
  const keys = {
    id: (id: string) => `${keyPrefix}id:${id}`,
    sku: (sku: string) => `${keyPrefix}sku:${sku}`,
    generation: `${keyPrefix}list:generation`,
    list: (generation: string, query: ProductListQuery) => `${keyPrefix}list:${generation}:${listQueryHash(query)}`,
  };

  async function store(product: Product, entry: Entry): Promise<void> {
    const value = JSON.stringify(entry);
    const write = (key: string) => putIfNewer(key, product.version, value, ttlSeconds);
    await attempt('put', () => Promise.all([write(keys.id(product.id)), write(keys.sku(product.sku))]));
  }

  return {
    async get(lookup): Promise<CachedProduct> {
      const key = lookup.by === 'id' ? keys.id(lookup.id) : keys.sku(lookup.sku);
      const outcome = await attempt('get', async () => {
        const raw = await redis.get(key);
        return raw === null ? undefined : decodeEntry(raw);
      });
      onLookup(lookup.by, outcome === undefined ? 'error' : outcome.value ? 'hit' : 'miss');
      return outcome?.value;
    },

    put: (product) => store(product, { state: 'present', product }),

    putDeleted: (product) => store(product, { state: 'deleted' }),

    async getList(query) {
      // The generation is read first and the page stored under it: a write in between moves readers to the
      // next generation, so a page loaded before that write is never served after it.
      const outcome = await attempt('get', async () => {
        const generation = (await redis.get(keys.generation)) ?? '0';
        const raw = await redis.get(keys.list(generation, query));
        return { generation, page: raw === null ? undefined : decodePage(raw) };
      });
      onLookup('list', outcome === undefined ? 'error' : outcome.value.page ? 'hit' : 'miss');
      if (!outcome) return {};
      const { generation, page } = outcome.value;
      if (page) return { page };
      const key = keys.list(generation, query);
      return {
        store: async (fresh) => {
          await attempt('put', () => redis.set(key, JSON.stringify(fresh), 'EX', listTtlSeconds));
        },
      };
    },

    async invalidateLists() {
      await attempt('invalidate', () => redis.incr(keys.generation));
    },
  };
}
