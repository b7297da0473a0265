import type { Order, OrderLine, OrderStatus } from './order';

/** An order as clients see it (and as an idempotent replay stores it): JSON-ready, without internals. */
export interface OrderView {
  id: string;
  userId: string;
  status: OrderStatus;
  lines: OrderLine[];
  currency: string;
  totalMinor: number;
  rejectionReason?: string;
  cancelledBy?: string;
  createdAt: string;
  updatedAt: string;
}

export function toOrderView(order: Order): OrderView {
  return {
    id: order.id,
    userId: order.userId,
    status: order.status,
    lines: order.lines.map(({ productId, sku, quantity, unitPriceMinor }) => ({
      productId,
      sku,
      quantity,
      unitPriceMinor,
    })),
    currency: order.currency,
    totalMinor: order.totalMinor,
    ...(order.rejectionReason === undefined ? {} : { rejectionReason: order.rejectionReason }),
    ...(order.cancelledBy === undefined ? {} : { cancelledBy: order.cancelledBy }),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
