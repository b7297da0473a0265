import type { InventoryRejectedV1 } from '@platform/events';
import type { EventEnvelope } from '@platform/kit';
import { rejectOrder, type FinaliseDeps } from '../domain/finalise-order';

/** inventory.rejected: nothing was reserved, so the order is rejected with the lines' reasons. */
export async function handleInventoryRejected(
  event: EventEnvelope<InventoryRejectedV1>,
  deps: FinaliseDeps,
): Promise<void> {
  await rejectOrder(event.payload.orderId, event.payload.lines, deps);
}
