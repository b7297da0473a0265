import { giveBackCommittedLines, releaseLines } from './holds';
import type { InventoryDeps, ReleaseCause, ReleaseGuard, Reservation } from './ports';

/**
 * Decide, then act: the conditional status change to RELEASED (flagged releasePending, and recording the status
 * it left) is the decision, and only its winner counts the release; giving the stock back follows. A crash in
 * between leaves releasePending set, and a redelivery or the sweeper finishes it. Giving back is idempotent, so
 * finishing twice is harmless.
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
  await settleRelease({ ...reservation, status: 'RELEASED', releasedFrom: guard.from }, deps);
  return true;
}

/**
 * Gives back every line of a released (or rejected) reservation, then clears releasePending. Lines of an order
 * released before its confirmation are given back through its holds; those of a confirmed one through the sku's
 * record of returns, since a confirmation takes its holds off the records (see commitConfirmed).
 */
export async function settleRelease(reservation: Reservation, deps: InventoryDeps): Promise<void> {
  if (reservation.releasedFrom === 'CONFIRMED') {
    await giveBackCommittedLines(reservation.orderId, reservation.lines, deps.stock);
  } else {
    await releaseLines(reservation.orderId, reservation.lines, deps.stock);
  }
  await deps.reservations.markSettled(reservation.orderId);
}

/**
 * A confirmed order's holds leave the stock records (its units stay counted in `reserved`), so a record only ever
 * carries the holds of orders in flight, not one per order ever confirmed. Then clears commitPending; a crash in
 * between is finished by a redelivery of order.confirmed or by the sweeper. Idempotent.
 */
export async function commitConfirmed(reservation: Reservation, deps: InventoryDeps): Promise<void> {
  for (const line of reservation.lines) await deps.stock.commit(line.sku, reservation.orderId, line.quantity);
  await deps.reservations.markCommitted(reservation.orderId);
}
