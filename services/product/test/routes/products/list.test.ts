import { metricValue } from '@platform/test-kit';
import { startTestApp, type TestApp } from '../../helpers/app';
import { bearer, invalidFields, problemCode, seedProduct, type ProductJson } from '../../helpers/products';

interface Page {
  items: ProductJson[];
  nextCursor: string | null;
}

describe('GET /products', () => {
  let t: TestApp;
  let catalogue: ProductJson[];
  const category = 'list-sorting';

  beforeAll(async () => {
    t = await startTestApp('product-list');
    // Repeated prices and names (in different cases) so that every sort has ties for the _id tie-breaker to settle.
    const specs = [
      { name: 'Teapot', priceMinor: 3000 },
      { name: 'apron', priceMinor: 1500 },
      { name: 'Bowl', priceMinor: 1500 },
      { name: 'bowl', priceMinor: 800 },
      { name: 'Cup', priceMinor: 800 },
      { name: 'Apron', priceMinor: 1500 },
      { name: 'mug (XL)', priceMinor: 1200 },
      { name: 'Mug', priceMinor: 1200 },
      { name: 'Zester', priceMinor: 450 },
    ];
    catalogue = await Promise.all(specs.map((spec) => seedProduct(t.app, t.adminToken, { ...spec, category })));
  });

  afterAll(async () => {
    await t?.close();
  });

  const list = (query: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: `/products?${query}`, headers });

  async function allPages(query: string): Promise<{ items: ProductJson[]; pages: number }> {
    const items: ProductJson[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await list(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode).toBe(200);
      const page: Page = response.json<Page>();
      items.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    return { items, pages };
  }

  const byIdTieBreak = (a: ProductJson, b: ProductJson) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const expectedOrders: Record<string, (a: ProductJson, b: ProductJson) => number> = {
    createdAt: (a, b) => a.createdAt.localeCompare(b.createdAt) || byIdTieBreak(a, b),
    price: (a, b) => a.priceMinor - b.priceMinor || byIdTieBreak(a, b),
    name: (a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase(), 'en') || byIdTieBreak(a, b),
  };

  it.each(['createdAt', '-createdAt', 'price', '-price', 'name', '-name'])(
    'when paging through sort=%s two at a time, then every product comes exactly once, in order',
    async (sort) => {
      const compare = expectedOrders[sort.replace('-', '')]!;
      const expected = [...catalogue].sort(sort.startsWith('-') ? (a, b) => compare(b, a) : compare);

      const { items, pages } = await allPages(`category=${category}&sort=${sort}&limit=2`);

      expect(items.map((p) => p.id)).toEqual(expected.map((p) => p.id));
      expect(pages).toBe(Math.ceil(catalogue.length / 2));
    },
  );

  it('when no sort is given, then the newest products come first, 20 to a page', async () => {
    const response = await list(`category=${category}`);

    const page = response.json<Page>();
    expect(page.items[0]!.createdAt >= page.items.at(-1)!.createdAt).toBe(true);
    expect(page.items).toHaveLength(catalogue.length);
    expect(page.nextCursor).toBeNull();
  });

  it('when filtering by price range, then only products within the inclusive bounds come back', async () => {
    const { items } = await allPages(`category=${category}&minPrice=800&maxPrice=1500&limit=3`);

    const expected = catalogue.filter((p) => p.priceMinor >= 800 && p.priceMinor <= 1500);
    expect(items.map((p) => p.id).sort()).toEqual(expected.map((p) => p.id).sort());
  });

  it('when searching by name, then the match is case-insensitive and regex characters are taken literally', async () => {
    const mugs = (await list(`category=${category}&q=MUG`)).json<Page>();
    const parenthesis = (await list(`category=${category}&q=${encodeURIComponent('(xl)')}`)).json<Page>();
    const wildcard = (await list(`category=${category}&q=${encodeURIComponent('.*')}`)).json<Page>();

    expect(mugs.items.map((p) => p.name).sort()).toEqual(['Mug', 'mug (XL)']);
    expect(parenthesis.items.map((p) => p.name)).toEqual(['mug (XL)']);
    expect(wildcard.items).toEqual([]);
  });

  it('when a product is deleted, then lists leave it out', async () => {
    const doomed = await seedProduct(t.app, t.adminToken, { category: 'list-deleted' });
    const kept = await seedProduct(t.app, t.adminToken, { category: 'list-deleted' });
    await t.app.inject({ method: 'DELETE', url: `/products/${doomed.id}`, headers: bearer(t.adminToken) });

    const page = (await list('category=list-deleted')).json<Page>();

    expect(page.items.map((p) => p.id)).toEqual([kept.id]);
  });

  it('when the same page is read twice, then the second read is a cache hit; after a write it shows the change', async () => {
    const cat = 'list-cache';
    const first = await seedProduct(t.app, t.adminToken, { category: cat, priceMinor: 100 });
    const hits = () => metricValue(t.app.metrics, 'product_cache_requests_total', { lookup: 'list', result: 'hit' });
    await list(`category=${cat}`);
    const hitsBefore = await hits();

    expect((await list(`category=${cat}`)).json<Page>().items).toHaveLength(1);
    expect(await hits()).toBe(hitsBefore + 1);

    await t.app.inject({
      method: 'PATCH',
      url: `/products/${first.id}`,
      headers: bearer(t.adminToken),
      payload: { priceMinor: 175 },
    });
    const afterUpdate = (await list(`category=${cat}`)).json<Page>();
    const second = await seedProduct(t.app, t.adminToken, { category: cat });
    const afterCreate = (await list(`category=${cat}`)).json<Page>();

    expect(afterUpdate.items.map((p) => p.priceMinor)).toEqual([175]);
    expect(afterCreate.items.map((p) => p.id)).toEqual([second.id, first.id]);
  });

  it('when If-None-Match carries the ETag of the current page, then 304 without a body', async () => {
    const { etag } = (await list(`category=${category}&limit=3`)).headers as { etag: string };

    const response = await list(`category=${category}&limit=3`, { 'if-none-match': etag });

    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(response.statusCode).toBe(304);
    expect(response.body).toBe('');
  });

  it('when a query parameter smuggles an operator or is out of range, then 400 naming it', async () => {
    const cases = [
      ['category[$ne]=x', 'querystring/category[$ne]'],
      ['limit=0', 'querystring/limit'],
      ['limit=101', 'querystring/limit'],
      ['sort=price;drop', 'querystring/sort'],
      ['minPrice=-1', 'querystring/minPrice'],
      ['maxPrice=cheap', 'querystring/maxPrice'],
      ['category=a&category=b', 'querystring/category'],
      ['cursor=not%20base64!', 'querystring/cursor'],
    ] as const;

    for (const [query, field] of cases) {
      const response = await list(query);
      expect({ query, status: response.statusCode }).toEqual({ query, status: 400 });
      expect(invalidFields(response)).toContain(field);
    }
  });

  it('when minPrice is above maxPrice, then 400 INVALID_PRICE_RANGE', async () => {
    const response = await list('minPrice=500&maxPrice=100');

    expect(response.statusCode).toBe(400);
    expect(problemCode(response)).toBe('INVALID_PRICE_RANGE');
  });

  it('when the cursor was issued for another sort or is forged, then 400 INVALID_CURSOR', async () => {
    const { nextCursor } = (await list(`category=${category}&sort=price&limit=2`)).json<Page>();
    const forged = Buffer.from(JSON.stringify(['price', { $gt: 0 }, 'a'.repeat(24)])).toString('base64url');

    const otherSort = await list(`category=${category}&sort=name&limit=2&cursor=${nextCursor}`);
    const tampered = await list(`sort=price&cursor=${forged}`);
    const garbage = await list('cursor=AAAA');

    for (const response of [otherSort, tampered, garbage]) {
      expect(response.statusCode).toBe(400);
      expect(problemCode(response)).toBe('INVALID_CURSOR');
    }
  });
});
