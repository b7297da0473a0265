import type { OrderCancelledV1, OrderConfirmedV1, OrderCreatedV1, OrderRejectedV1 } from '@platform/events';
import type { EventEnvelope } from '@platform/kit';
import { cancelReservation } from '../domain/cancel-reservation';
import { confirmReservation } from '../domain/confirm-reservation';
import type { InventoryDeps } from '../domain/ports';
import { reserveOrder } from '../domain/reserve-order';

/** Each is idempotent on its own: a redelivery finds its work done (the consumer keeps no processed-event marks). */

export function handleOrderCreated(event: EventEnvelope<OrderCreatedV1>, deps: InventoryDeps): Promise<void> {
  return reserveOrder(event.payload, deps);
}

export function handleOrderCancelled(event: EventEnvelope<OrderCancelledV1>, deps: InventoryDeps): Promise<void> {
  return cancelReservation(event.payload.orderId, deps);
}

/**
 * order.rejected: the order is over without us (inventory said no, or the order timed out waiting for us). Whatever
 * it still holds (a reservation decided after the timeout) goes back, exactly as for a cancel.
 */
export function handleOrderRejected(event: EventEnvelope<OrderRejectedV1>, deps: InventoryDeps): Promise<void> {
  return cancelReservation(event.payload.orderId, deps, 'rejected');
}

export function handleOrderConfirmed(event: EventEnvelope<OrderConfirmedV1>, deps: InventoryDeps): Promise<void> {
  return confirmReservation(event.payload.orderId, deps);
}
