import { claimLease } from './lease';
import type { InventoryDeps } from './ports';
import { releaseReservation, settleRelease } from './release';

/** Each round either finishes or saw the reservation move on (statuses only move forward), so a few suffice. */
const MAX_ROUNDS = 5;

/**
 * order.cancelled: give back whatever the order holds. Idempotent; a cancel for an order that was rejected,
 * released or never reserved changes no stock.
 */
export async function cancelReservation(orderId: string, deps: InventoryDeps): Promise<void> {
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const current = await deps.reservations.find(orderId);
    if (!current) {
      // order.cancelled overtook order.created (they travel on different topics): remember the cancel,
      // so the late order.created holds nothing. A lost race with order.created is looked at again.
      if (await deps.reservations.insertCancelled(orderId)) return;
      continue;
    }
    switch (current.status) {
      case 'REJECTED':
        return;
      case 'RELEASED':
        if (current.releasePending) await settleRelease(current, deps);
        return;
      case 'RESERVED':
      case 'CONFIRMED':
        if (await releaseReservation(current, { from: ['RESERVED', 'CONFIRMED'] }, 'cancelled', deps)) return;
        continue;
      case 'PENDING':
        if (await releaseUnattended(orderId, deps)) return;
        // The lease holder is alive: it sees the flag when it decides, and releases instead.
        if (await deps.reservations.requestCancel(orderId)) return;
        continue;
    }
  }
  throw new Error(`reservation of order ${orderId} kept changing while it was being cancelled`);
}

/** Nobody is holding lines for this order right now (its delivery crashed): release it ourselves. */
async function releaseUnattended(orderId: string, deps: InventoryDeps): Promise<boolean> {
  const lease = await claimLease(orderId, deps);
  if (!lease) return false;
  return releaseReservation(lease.reservation, { from: ['PENDING'], leaseOwner: lease.owner }, 'cancelled', deps);
}
