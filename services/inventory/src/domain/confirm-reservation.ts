import type { InventoryDeps } from './ports';

/** order.confirmed: the reservation becomes final and the sweeper leaves it alone. Idempotent. */
export async function confirmReservation(orderId: string, deps: InventoryDeps): Promise<void> {
  if (await deps.reservations.confirm(orderId)) {
    deps.log.info({ orderId }, 'reservation confirmed');
    return;
  }
  const current = await deps.reservations.find(orderId);
  if (current?.status === 'CONFIRMED') return;
  // Confirmed after the reservation expired (or without one): the order holds no stock. Operators must know;
  // retrying cannot change it.
  deps.log.warn({ orderId, status: current?.status ?? null }, 'order confirmed but its stock is not reserved');
}
