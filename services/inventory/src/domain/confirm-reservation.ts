import type { InventoryDeps } from './ports';
import { commitConfirmed } from './release';

/**
 * order.confirmed: the reservation becomes final (the sweeper leaves it alone) and its holds are committed.
 * Idempotent: a redelivery finds it CONFIRMED and finishes a commit a crash interrupted.
 */
export async function confirmReservation(orderId: string, deps: InventoryDeps): Promise<void> {
  const confirmed = await deps.reservations.confirm(orderId);
  if (confirmed) {
    deps.log.info({ orderId }, 'reservation confirmed');
    await commitConfirmed(confirmed, deps);
    return;
  }
  const current = await deps.reservations.find(orderId);
  if (current?.status === 'CONFIRMED') {
    if (current.commitPending) await commitConfirmed(current, deps);
    return;
  }
  // Confirmed after the reservation expired (or without one): the order holds no stock. Operators must know;
  // retrying cannot change it.
  deps.log.warn({ orderId, status: current?.status ?? null }, 'order confirmed but its stock is not reserved');
}
