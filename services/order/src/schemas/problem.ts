import { Type } from 'typebox';
import { defineProblems } from '@platform/kit';

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

/** The order service's problem answers: the kit's shape plus the unknown product ids of a 422. */
export const problems = defineProblems({
  extensions: {
    productIds: Type.Optional(Type.Array(Type.String(), { description: 'UNKNOWN_PRODUCT: the ids not found' })),
  },
  descriptions: DESCRIPTIONS,
});
