import { Type } from 'typebox';
import { problems } from '@platform/kit';

/** Same rule as the events' sku: upper-case letters, digits and dashes, so no operator or `$` key gets through. */
const Sku = Type.String({ pattern: '^[A-Z0-9][A-Z0-9-]{1,39}$', description: 'Stock keeping unit, e.g. TSHIRT-RED-M' });

const SkuParams = Type.Object({ sku: Sku }, { additionalProperties: false });

export const StockView = Type.Object(
  {
    sku: Sku,
    productId: Type.String({ pattern: '^[0-9a-fA-F]{24}$' }),
    available: Type.Integer({ minimum: 0, description: 'Free to reserve' }),
    reserved: Type.Integer({ minimum: 0, description: 'Held for orders' }),
  },
  { additionalProperties: false },
);

const RestockBody = Type.Object(
  { quantity: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Units received' }) },
  { additionalProperties: false },
);

const AdjustBody = Type.Object(
  {
    delta: Type.Integer({
      minimum: -1_000_000,
      maximum: 1_000_000,
      not: { const: 0 },
      description: 'Units to add (positive) or remove (negative); never zero',
    }),
    reason: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'Why, for the audit log' }),
  },
  { additionalProperties: false },
);

const tags = ['stock'];
const security = [{ bearerAuth: [] }];

export const getStockSchema = {
  tags,
  security,
  summary: 'Stock of one sku',
  params: SkuParams,
  response: { 200: StockView, ...problems(400, 401, 404) },
};

export const restockSchema = {
  tags,
  security,
  summary: 'Add received units (admin)',
  params: SkuParams,
  body: RestockBody,
  response: { 200: StockView, ...problems(400, 401, 403, 404, 409) },
};

export const adjustSchema = {
  tags,
  security,
  summary: 'Correct the available units (admin); never below zero',
  params: SkuParams,
  body: AdjustBody,
  response: { 200: StockView, ...problems(400, 401, 403, 404, 409) },
};
