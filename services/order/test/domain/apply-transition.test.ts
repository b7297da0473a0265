import { applyTransition } from '../../src/domain/apply-transition';
import type { Order, OrderStatus } from '../../src/domain/order';
import type { OrderRepository, StatusChange } from '../../src/domain/ports';

const baseOrder: Order = {
  id: 'a'.repeat(24),
  userId: 'b'.repeat(24),
  status: 'PENDING',
  lines: [],
  currency: 'EUR',
  totalMinor: 0,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

/**
 * An in-memory repository in which another writer wins the first race: its transition (`rival`) is decided
 * before ours, so our first changeStatus loses, as the real one does.
 */
function repositoryLosingTo(rival: OrderStatus) {
  let stored: Order = { ...baseOrder };
  let raced = false;
  const changes: StatusChange[] = [];
  const orders: Pick<OrderRepository, 'changeStatus' | 'findById'> = {
    async findById() {
      return stored;
    },
    async changeStatus(_id, change) {
      if (!raced) {
        raced = true;
        stored = { ...stored, status: rival };
        return null;
      }
      changes.push(change);
      stored = { ...stored, status: change.to };
      return stored;
    },
  };
  return { orders: orders as OrderRepository, changes };
}

describe('applyTransition', () => {
  it('when a cancel loses the race to a confirmation, then it is decided again and cancels the CONFIRMED order', async () => {
    const { orders, changes } = repositoryLosingTo('CONFIRMED');

    const result = await applyTransition(baseOrder, 'CANCELLED', () => ({ events: [] }), orders);

    expect(result).toMatchObject({ outcome: 'applied', order: { status: 'CANCELLED' } });
    expect(changes).toEqual([{ from: 'CONFIRMED', to: 'CANCELLED', events: [] }]);
  });

  it('when a confirmation loses the race to another confirmation, then it is refused and nothing is written', async () => {
    const { orders, changes } = repositoryLosingTo('CONFIRMED');

    const result = await applyTransition(baseOrder, 'CONFIRMED', () => ({ events: [] }), orders);

    expect(result).toMatchObject({ outcome: 'refused', order: { status: 'CONFIRMED' } });
    expect(changes).toEqual([]);
  });

  it('when the machine does not allow the transition, then it is refused without a write', async () => {
    const { orders, changes } = repositoryLosingTo('CONFIRMED');

    const result = await applyTransition(
      { ...baseOrder, status: 'REJECTED' },
      'CANCELLED',
      () => ({ events: [] }),
      orders,
    );

    expect(result.outcome).toBe('refused');
    expect(changes).toEqual([]);
  });
});
