import { OrderStatus } from './order';

/**
 * The order's life: PENDING until inventory answers (CONFIRMED or REJECTED); PENDING and CONFIRMED orders may be
 * cancelled. REJECTED and CANCELLED are final. Everything else is an illegal transition (409 ORDER_STATE_CONFLICT
 * when a client asks for it, a no-op when an event does).
 */
const NEXT: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  [OrderStatus.Pending]: [OrderStatus.Confirmed, OrderStatus.Rejected, OrderStatus.Cancelled],
  [OrderStatus.Confirmed]: [OrderStatus.Cancelled],
  [OrderStatus.Rejected]: [],
  [OrderStatus.Cancelled]: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}
