import { Type, type TObject } from '@sinclair/typebox';

/** application/problem+json as the kit's error handler writes it, with the extensions this service adds. */
const problemProperties = {
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  code: Type.String({ description: 'Stable error code, e.g. ORDER_NOT_FOUND' }),
  requestId: Type.String(),
  errors: Type.Optional(
    Type.Array(
      Type.Object({ in: Type.String(), field: Type.String(), message: Type.String() }, { additionalProperties: false }),
      { description: 'VALIDATION_FAILED: every invalid field' },
    ),
  ),
  productIds: Type.Optional(Type.Array(Type.String(), { description: 'UNKNOWN_PRODUCT: the ids not found' })),
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request; every invalid field is listed',
  401: 'Missing, invalid, expired or revoked access token',
  403: 'Not allowed for this role',
  404: 'No such order, or not yours',
  409: 'Conflicts with the order state or an earlier use of the Idempotency-Key',
  422: 'The order cannot be placed: unknown products, mixed currencies or too large a total',
  502: 'The product service answered unexpectedly',
  503: 'The product service is unavailable; retry after the Retry-After delay',
  504: 'The product service did not answer in time',
};

/** A route's problem answers by status code: they validate nothing, but serialise and document the errors. */
export function problems(...statuses: number[]): Record<number, TObject> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      Type.Object(problemProperties, { additionalProperties: false, description: DESCRIPTIONS[status] ?? 'Error' }),
    ]),
  );
}
