import type { InventoryDeps } from './ports';
import { commitConfirmed, settleRelease } from './release';

export interface SweepOptions {
  /** At most this many per pass; the next pass takes the rest. Default 100. */
  limit?: number;
  /** Stops between reservations when aborted (the app is closing); what is left waits for the next pass. */
  signal?: AbortSignal;
}

/**
 * One pass of the sweeper: finishes releases a crash interrupted (RELEASED, but some holds not given back yet) and
 * commits of confirmed reservations (CONFIRMED, but some holds still on the stock records). Both are conditional
 * on each hold (or return), so replicas sweeping at the same moment act on each once. Nothing is released by age: a
 * reservation waits for its order's outcome, which the order service's deadline guarantees.
 * Returns how many it finished.
 */
export async function sweepReservations(
  deps: InventoryDeps,
  { limit = 100, signal }: SweepOptions = {},
): Promise<number> {
  let settled = 0;
  for (const reservation of await deps.reservations.findUnsettled(limit)) {
    if (signal?.aborted) break;
    if (reservation.releasePending) await settleRelease(reservation, deps);
    else if (reservation.commitPending) await commitConfirmed(reservation, deps);
    settled++;
  }
  return settled;
}
