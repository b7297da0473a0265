import { payloadSchemas, Topics, type OrderCreatedV1 } from '../src';

const order: OrderCreatedV1 = {
  orderId: '65a1b2c3d4e5f60718293a4b',
  userId: '65a1b2c3d4e5f60718293a4c',
  lines: [{ productId: '65a1b2c3d4e5f60718293a4d', sku: 'MUG-001', quantity: 2, unitPriceMinor: 1250 }],
  totalMinor: 2500,
  currency: 'EUR',
};

describe('event payload schemas', () => {
  it('when an order.created payload is well formed, then it validates unchanged', () => {
    expect(payloadSchemas[Topics.OrderCreated].validate(order)).toEqual({ value: order });
  });

  it('when a payload has a bad id, a float price, no lines or an unknown field, then it is rejected', () => {
    const schema = payloadSchemas[Topics.OrderCreated];
    expect(schema.validate({ ...order, orderId: 'nope' }).error).toBeDefined();
    expect(schema.validate({ ...order, totalMinor: 25.5 }).error).toBeDefined();
    expect(schema.validate({ ...order, lines: [] }).error).toBeDefined();
    expect(schema.validate({ ...order, $where: '1' }).error).toBeDefined();
  });

  it('when inventory rejects, then each line carries a known reason', () => {
    const schema = payloadSchemas[Topics.InventoryRejected];
    const line = { sku: 'MUG-001', requested: 3, available: 1, reason: 'INSUFFICIENT_STOCK' };
    expect(schema.validate({ orderId: order.orderId, lines: [line] }).error).toBeUndefined();
    expect(schema.validate({ orderId: order.orderId, lines: [{ ...line, reason: 'BECAUSE' }] }).error).toBeDefined();
  });
});
