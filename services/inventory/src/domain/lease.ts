import { randomUUID } from 'node:crypto';
import type { InventoryDeps, Reservation, ReservationLine } from './ports';

/**
 * Only the holder of a PENDING reservation's lease holds or gives back its lines, so two deliveries of one order
 * (a rebalance) never work on the same holds at once. Holding a few lines takes milliseconds; the lease is short
 * so that the redelivery after a crash is not kept waiting long.
 */
const LEASE_MS = 5_000;

export interface Lease {
  owner: string;
  reservation: Reservation;
}

/** Records a new order's reservation as PENDING and leases it, or leases the one a crashed delivery left. */
export async function claimLease(
  orderId: string,
  lines: ReservationLine[],
  deps: InventoryDeps,
): Promise<Lease | null> {
  const owner = randomUUID();
  const now = deps.now();
  const until = new Date(now.getTime() + LEASE_MS);
  const reservation = await deps.reservations.claim(orderId, lines, { owner, now, until });
  return reservation ? { owner, reservation } : null;
}
