import { orderCreated } from './order-events';
import { OrderStatus } from './order';
import { toOrderView, type OrderView } from './order-view';
import { hashRequest, runIdempotently, type IdempotencyTiming, type IdempotentOutcome } from './idempotency';
import { assertDistinctProducts, priceOrder, type RequestedLine } from './pricing';
import type { FindProducts, IdempotencyStore, NewOrder, OrderMetrics, OrderRepository, StoredResponse } from './ports';

export interface PlaceOrderInput {
  userId: string;
  idempotencyKey: string;
  lines: RequestedLine[];
  currency?: string;
}

export interface PlaceOrderDeps {
  orders: OrderRepository;
  keys: IdempotencyStore;
  findProducts: FindProducts;
  metrics: OrderMetrics;
  timing?: IdempotencyTiming;
}

/**
 * The first answer to an order's POST, which every retry with its key gets again: the order as it was accepted
 * (PENDING), rebuilt from the stored order whatever became of it since.
 */
function firstAnswer(order: NewOrder): StoredResponse<OrderView> {
  const { id, userId, lines, currency, totalMinor, createdAt } = order;
  const accepted = { id, userId, lines, currency, totalMinor, createdAt, status: OrderStatus.Pending };
  return { statusCode: 201, body: toOrderView({ ...accepted, updatedAt: createdAt }) };
}

/**
 * Accepts an order as PENDING, priced from the product catalog, with order.created in its outbox; inventory
 * answers later. A retry with the same Idempotency-Key replays the first answer instead of ordering twice: the
 * order under the id reserved with the key is the record that the request was done (two writes per order, the key
 * and the order, not a third to complete the key).
 */
export async function placeOrder(input: PlaceOrderInput, deps: PlaceOrderDeps): Promise<IdempotentOutcome<OrderView>> {
  assertDistinctProducts(input.lines);
  const scope = { userId: input.userId, key: input.idempotencyKey };
  const requestHash = hashRequest({ lines: input.lines, currency: input.currency });
  return runIdempotently(
    scope,
    requestHash,
    (orderId, resumed) => createOrder(orderId, resumed, input, deps),
    async (orderId) => {
      const order = await deps.orders.findById(orderId);
      return order ? firstAnswer(order) : null;
    },
    deps.keys,
    deps.timing,
  );
}

async function createOrder(
  orderId: string,
  resumed: boolean,
  input: PlaceOrderInput,
  deps: PlaceOrderDeps,
): Promise<StoredResponse<OrderView>> {
  // A retry that took over an abandoned key finishes the order its first attempt may already have written. A fresh
  // key's id was just reserved: no order can have it, and the insert below would refuse a duplicate anyway.
  const existing = resumed ? await deps.orders.findById(orderId) : null;
  if (existing) return firstAnswer(existing);

  const products = await deps.findProducts([...new Set(input.lines.map((line) => line.productId))]);
  const priced = priceOrder(input.lines, products, input.currency);
  const order: NewOrder = { id: orderId, userId: input.userId, ...priced, createdAt: new Date() };
  if (!(await deps.orders.insert(order, [orderCreated(order)]))) {
    // Two holders of one key raced (a lease expired under a slow first attempt): the id made it one order.
    const winner = await deps.orders.findById(orderId);
    if (!winner) throw new Error(`order ${orderId} reported as existing but not found`);
    return firstAnswer(winner);
  }
  deps.metrics.orderCreated();
  return firstAnswer(order);
}
