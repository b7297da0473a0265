import type { InventoryReservedV1 } from '@platform/events';
import type { EventEnvelope } from '@platform/kit';
import { confirmOrder, type FinaliseDeps } from '../domain/finalise-order';

/** inventory.reserved: every line is reserved, so the order is confirmed (once, however often it is delivered). */
export async function handleInventoryReserved(
  event: EventEnvelope<InventoryReservedV1>,
  deps: FinaliseDeps,
): Promise<void> {
  await confirmOrder(event.payload.orderId, deps);
}
