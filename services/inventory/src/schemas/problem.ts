import { Type } from '@sinclair/typebox';

/** The kit's application/problem+json answer (RFC 9457 plus `code` and `requestId`). */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable error code, e.g. STOCK_NOT_FOUND' }),
    requestId: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object(
          { in: Type.String(), field: Type.String(), message: Type.String() },
          { additionalProperties: false },
        ),
        { description: 'Every invalid field, on VALIDATION_FAILED' },
      ),
    ),
  },
  { additionalProperties: false },
);
