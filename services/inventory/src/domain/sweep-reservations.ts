import type { InventoryDeps } from './ports';
import { releaseReservation, settleRelease } from './release';

export interface SweepOptions {
  /** At most this many of each kind per pass; the next pass takes the rest. Default 100. */
  limit?: number;
  /** Stops between reservations when aborted (the app is closing); what is left waits for the next pass. */
  signal?: AbortSignal;
}

/**
 * One pass of the sweeper: releases reservations whose order was not confirmed in time, and finishes releases a
 * crash interrupted. Every change is conditional, so replicas sweeping at the same moment release each
 * reservation once. Returns how many expired.
 */
export async function sweepReservations(
  deps: InventoryDeps,
  { limit = 100, signal }: SweepOptions = {},
): Promise<number> {
  const now = deps.now();
  let expired = 0;
  for (const reservation of await deps.reservations.findExpired(now, limit)) {
    if (signal?.aborted) return expired;
    if (await releaseReservation(reservation, { from: ['RESERVED'], expiredBefore: now }, 'expired', deps)) expired++;
  }
  for (const reservation of await deps.reservations.findUnsettled(limit)) {
    if (signal?.aborted) return expired;
    await settleRelease(reservation, deps);
  }
  return expired;
}
