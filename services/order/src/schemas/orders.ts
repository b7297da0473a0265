import { Type } from 'typebox';
import { ORDER_STATUSES } from '../domain/order';
import { cursorPattern } from '../domain/cursor';
import { problems } from './problem';

const objectId = (description = '24-hex id') => Type.String({ pattern: '^[0-9a-f]{24}$', description });
const ObjectId = objectId();
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' });
const Status = Type.Enum(ORDER_STATUSES);
const security = [{ bearerAuth: [] }];
const tags = ['orders'];

const OrderLine = Type.Object(
  {
    productId: ObjectId,
    sku: Type.String(),
    quantity: Type.Integer(),
    unitPriceMinor: Type.Integer({ description: 'Price of one unit when the order was placed, in minor units' }),
  },
  { additionalProperties: false },
);

export const Order = Type.Object(
  {
    id: ObjectId,
    userId: ObjectId,
    status: Status,
    lines: Type.Array(OrderLine),
    currency: Currency,
    totalMinor: Type.Integer(),
    rejectionReason: Type.Optional(Type.String()),
    cancelledBy: Type.Optional(ObjectId),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

const OrderIdParams = Type.Object({ id: ObjectId }, { additionalProperties: false });

export const placeOrderSchema = {
  tags,
  security,
  summary: 'Place an order (priced from the product catalog, accepted as PENDING)',
  // Other headers are allowed (a header object is never closed); this one is required.
  headers: Type.Object({
    'idempotency-key': Type.String({
      pattern: '^[A-Za-z0-9_-]{8,128}$',
      description: 'Client-chosen key; a retry with the same key and body gets the same order and answer',
    }),
  }),
  body: Type.Object(
    {
      lines: Type.Array(
        Type.Object(
          { productId: ObjectId, quantity: Type.Integer({ minimum: 1, maximum: 1000 }) },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 100, description: 'One line per product' },
      ),
      currency: Type.Optional(Currency),
    },
    { additionalProperties: false },
  ),
  response: { 201: Order, ...problems(400, 401, 403, 409, 422, 502, 503, 504) },
};

export const getOrderSchema = {
  tags,
  security,
  summary: 'An order of mine (admins: any order)',
  params: OrderIdParams,
  response: { 200: Order, ...problems(400, 401, 404) },
};

export const listOrdersSchema = {
  tags,
  security,
  summary: 'My orders, newest first (admins: everyone’s, or one user’s)',
  querystring: Type.Object(
    {
      limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
      cursor: Type.Optional(Type.String({ pattern: cursorPattern, description: 'nextCursor of the previous page' })),
      status: Type.Optional(Status),
      userId: Type.Optional(objectId('Admins only: one user’s orders')),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object(
      { items: Type.Array(Order), nextCursor: Type.Union([Type.String(), Type.Null()]) },
      { additionalProperties: false },
    ),
    ...problems(400, 401, 403),
  },
};

export const cancelOrderSchema = {
  tags,
  security,
  summary: 'Cancel a PENDING or CONFIRMED order (its owner or an admin)',
  params: OrderIdParams,
  response: { 200: Order, ...problems(400, 401, 404, 409) },
};
