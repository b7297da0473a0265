import { createError } from '@platform/kit/core';

/** The order service's error codes; the kit's central handler turns them into problem+json answers. */
export const OrderNotFound = createError('ORDER_NOT_FOUND', 'Order not found', 404);
export const OrderStateConflict = createError(
  'ORDER_STATE_CONFLICT',
  'The order is not in a state that allows this change',
  409,
);
export const IdempotencyKeyReused = createError(
  'IDEMPOTENCY_KEY_REUSED',
  'Idempotency-Key already used with a different request',
  409,
);
export const IdempotencyKeyInProgress = createError(
  'IDEMPOTENCY_KEY_IN_PROGRESS',
  'A request with this Idempotency-Key is still being processed',
  409,
);
export const UnknownProduct = createError('UNKNOWN_PRODUCT', 'Order refers to unknown products', 422);
export const MixedCurrencies = createError('MIXED_CURRENCIES', 'Order lines are priced in different currencies', 422);
export const CurrencyMismatch = createError(
  'CURRENCY_MISMATCH',
  'Products are not priced in the requested currency',
  422,
);
export const OrderTotalTooLarge = createError('ORDER_TOTAL_TOO_LARGE', 'Order total exceeds the allowed amount', 422);
export const OrderBacklogFull = createError(
  'ORDER_BACKLOG_FULL',
  'Too many orders are waiting to be completed; try again shortly',
  503,
);
