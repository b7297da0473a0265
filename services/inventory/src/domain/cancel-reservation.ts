import { claimLease } from './lease';
import type { InventoryDeps } from './ports';
import type { ReleaseCause, Reservation } from './ports';
import { releaseReservation, settleRelease } from './release';

/** Each round either finishes or saw the reservation move on (statuses only move forward), so a few suffice. */
const MAX_ROUNDS = 5;

/**
 * order.cancelled or order.rejected: give back whatever the order holds. Idempotent; for an order whose
 * reservation was rejected, released or never made it changes no stock. `cause` is what the release records.
 */
export async function cancelReservation(
  orderId: string,
  deps: InventoryDeps,
  cause: ReleaseCause = 'cancelled',
): Promise<void> {
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const current = await deps.reservations.find(orderId);
    if (!current) {
      // The order's end overtook order.created (a redelivery, a replay, or order.created stuck in an outbox until
      // the order timed out): remember it, so the late order.created holds nothing. A lost race is looked at again.
      if (await deps.reservations.insertCancelled(orderId, cause)) return;
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
        // Conditional on the status just read: a confirmation landing in between is seen on the next round.
        if (await releaseReservation(current, { from: current.status }, cause, deps)) return;
        continue;
      case 'PENDING':
        if (await releaseUnattended(current, cause, deps)) return;
        // The lease holder is alive: it sees the flag when it decides, and releases instead.
        if (await deps.reservations.requestCancel(orderId)) return;
        continue;
    }
  }
  throw new Error(`reservation of order ${orderId} kept changing while it was being cancelled`);
}

/** Nobody is holding lines for this order right now (its delivery crashed): release it ourselves. */
async function releaseUnattended(current: Reservation, cause: ReleaseCause, deps: InventoryDeps): Promise<boolean> {
  // The reservation exists, so the claim only leases it (the lines are for a new one).
  const lease = await claimLease(current.orderId, current.lines, deps);
  if (!lease) return false;
  return releaseReservation(lease.reservation, { from: 'PENDING', leaseOwner: lease.owner }, cause, deps);
}
