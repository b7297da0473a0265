import type { InventoryDeps } from './ports';
import { releaseReservation, settleRelease } from './release';

/**
 * One pass of the sweeper: releases reservations whose order was not confirmed in time, and finishes releases a
 * crash interrupted. Every change is conditional, so replicas sweeping at the same moment release each
 * reservation once. At most `limit` of each per pass; the next pass takes the rest. Returns how many expired.
 */
export async function sweepReservations(deps: InventoryDeps, limit = 100): Promise<number> {
  const now = deps.now();
  let expired = 0;
  for (const reservation of await deps.reservations.findExpired(now, limit)) {
    if (await releaseReservation(reservation, { from: ['RESERVED'], expiredBefore: now }, 'expired', deps)) expired++;
  }
  for (const reservation of await deps.reservations.findUnsettled(limit)) await settleRelease(reservation, deps);
  return expired;
}
