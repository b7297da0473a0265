import type { Order, OrderStatus } from './order';
import { canTransition } from './order-status';
import type { OrderRepository, StatusChange } from './ports';

export type TransitionResult =
  | { outcome: 'applied'; order: Order }
  /** The machine does not allow it from the order's current status. */
  | { outcome: 'refused'; order: Order }
  | { outcome: 'not-found' };

/** What to write with the new status, given the order as it is now (the event needs its previous status). */
export type DescribeChange = (current: Order) => Omit<StatusChange, 'from' | 'to'>;

/** The longest path through the machine is two transitions; needing more rounds means the store misbehaves. */
const MAX_ROUNDS = 4;

/**
 * Moves an order to `to`, unless another transition out of its current status was decided first: two concurrent
 * transitions can never both win. The loser reads the order again and the machine decides anew (a cancel racing
 * a confirmation still cancels; a second confirmation becomes a no-op).
 */
export async function applyTransition(
  order: Order,
  to: OrderStatus,
  describe: DescribeChange,
  orders: OrderRepository,
): Promise<TransitionResult> {
  let current: Order | null = order;
  for (let round = 0; current && round < MAX_ROUNDS; round++) {
    if (!canTransition(current.status, to)) return { outcome: 'refused', order: current };
    const updated = await orders.changeStatus(current.id, { from: current.status, to, ...describe(current) });
    if (updated) return { outcome: 'applied', order: updated };
    current = await orders.findById(current.id);
  }
  if (!current) return { outcome: 'not-found' };
  throw new Error(`order ${order.id} did not settle on a status after ${MAX_ROUNDS} attempts to make it ${to}`);
}
