import { releaseLines } from './holds';
import type { InventoryDeps, ReleaseCause, ReleaseGuard, Reservation } from './ports';

/**
 * Decide, then act: the conditional status change to RELEASED (flagged releasePending) is the decision, and only
 * its winner counts the release; giving the stock back follows. A crash in between leaves releasePending set,
 * and a redelivery or the sweeper finishes it. Giving back is idempotent, so finishing twice is harmless.
 */
export async function releaseReservation(
  reservation: Reservation,
  guard: ReleaseGuard,
  cause: ReleaseCause,
  deps: InventoryDeps,
): Promise<boolean> {
  if (!(await deps.reservations.release(reservation.orderId, guard, cause))) return false;
  deps.metrics.reservationReleased(cause);
  deps.log.info({ orderId: reservation.orderId, cause }, 'reservation released');
  await settleRelease(reservation, deps);
  return true;
}

/** Gives back every hold of a released (or rejected) reservation, then clears releasePending. */
export async function settleRelease(reservation: Reservation, deps: InventoryDeps): Promise<void> {
  await releaseLines(reservation.orderId, reservation.lines, deps.stock);
  await deps.reservations.markSettled(reservation.orderId);
}
