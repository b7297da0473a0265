import { Type, type Static } from 'typebox';
import { productSorts, type ProductSort } from '../domain/product';

// Limits mirror the event contract in @platform/events (product.ts, common.ts): whatever the API accepts, the
// product.* events can carry.
export const ProductId = Type.String({ pattern: '^[0-9a-f]{24}$', description: '24-hex product id' });
export const Sku = Type.String({
  pattern: '^[A-Z0-9][A-Z0-9-]{1,39}$',
  description: 'Upper-case SKU, e.g. MUG-BLUE-01',
});
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 5000 });
const Category = Type.String({ minLength: 1, maxLength: 100 });
const PriceMinor = Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'Price in minor units (cents)' });
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' });

/** The representation every read returns; the order service relies on it (see the README). Keep it stable. */
export const ProductResponse = Type.Object(
  {
    id: ProductId,
    sku: Sku,
    name: Name,
    description: Description,
    category: Category,
    priceMinor: PriceMinor,
    currency: Currency,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type ProductResponse = Static<typeof ProductResponse>;

export const CreateProductBody = Type.Object(
  {
    sku: Sku,
    name: Name,
    description: Type.Optional(Description),
    category: Category,
    priceMinor: PriceMinor,
    currency: Currency,
  },
  { additionalProperties: false },
);

/** The sku is not here: it is immutable (inventory keys stock by it). */
export const UpdateProductBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    category: Type.Optional(Category),
    priceMinor: Type.Optional(PriceMinor),
    currency: Type.Optional(Currency),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ProductIdParams = Type.Object({ id: ProductId }, { additionalProperties: false });
export const SkuParams = Type.Object({ sku: Sku }, { additionalProperties: false });

export const ListProductsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_-]+$',
        maxLength: 512,
        // The position holds the sort key (a name, a price or a date), so no pattern can tell a valid one.
        description: 'nextCursor of the previous page, with the same sort; any other value is 400 INVALID_CURSOR',
      }),
    ),
    category: Type.Optional(Category),
    minPrice: Type.Optional(PriceMinor),
    maxPrice: Type.Optional(PriceMinor),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Case-insensitive text in the name' })),
    sort: Type.Unsafe<ProductSort>({ type: 'string', enum: [...productSorts], default: '-createdAt' }),
  },
  { additionalProperties: false },
);

export const ProductPageResponse = Type.Object(
  { items: Type.Array(ProductResponse), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);

// Header schemas must allow the other headers of the request, so these objects stay open.
export const ConditionalReadHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ maxLength: 2048 })),
});
export const ConditionalWriteHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 2048 })),
});
