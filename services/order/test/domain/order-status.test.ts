import { OrderStatus, ORDER_STATUSES, type OrderStatus as Status } from '../../src/domain/order';
import { canTransition } from '../../src/domain/order-status';

const { Pending, Confirmed, Rejected, Cancelled } = OrderStatus;

describe('order status machine', () => {
  const allowed: Array<[Status, Status]> = [
    [Pending, Confirmed],
    [Pending, Rejected],
    [Pending, Cancelled],
    [Confirmed, Cancelled],
  ];
  const everyPair = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as [Status, Status]));
  const isAllowed = ([from, to]: [Status, Status]) => allowed.some(([f, t]) => f === from && t === to);

  it.each(allowed)('when an order is %s, then it may become %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each(everyPair.filter((pair) => !isAllowed(pair)))(
    'when an order is %s, then it may not become %s',
    (from, to) => {
      expect(canTransition(from, to)).toBe(false);
    },
  );

  it('when an order is REJECTED or CANCELLED, then it can go nowhere', () => {
    for (const to of ORDER_STATUSES) {
      expect(canTransition(Rejected, to)).toBe(false);
      expect(canTransition(Cancelled, to)).toBe(false);
    }
  });
});
