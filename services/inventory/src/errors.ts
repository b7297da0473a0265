import { createError } from '@platform/kit/core';

/** The inventory service's error registry; codes are part of the API and never change meaning. */
export const StockNotFound = createError('STOCK_NOT_FOUND', 'Stock record not found', 404);
export const InsufficientStock = createError('INSUFFICIENT_STOCK', 'Not enough stock available', 409);
export const SkuDiscontinued = createError('SKU_DISCONTINUED', 'The product of this sku was deleted', 409);
/**
 * Another worker holds this order's reservation lease. Thrown from a consumer so the kit retries after a backoff;
 * by then the other worker has decided, or its lease has run out.
 */
export const ReservationBusy = createError('RESERVATION_BUSY', 'Reservation is being processed elsewhere', 503);
