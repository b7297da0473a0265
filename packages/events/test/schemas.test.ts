import { eventCatalogue, eventTypesOf, EventTypes, payloadSchemas, Topics, type OrderCreatedV1 } from '../src';

const order: OrderCreatedV1 = {
  orderId: '65a1b2c3d4e5f60718293a4b',
  userId: '65a1b2c3d4e5f60718293a4c',
  lines: [{ productId: '65a1b2c3d4e5f60718293a4d', sku: 'MUG-001', quantity: 2, unitPriceMinor: 1250 }],
  totalMinor: 2500,
  currency: 'EUR',
};

describe('event payload schemas', () => {
  it('when an order.created payload is well formed, then it validates unchanged', () => {
    expect(payloadSchemas[EventTypes.OrderCreated].validate(order)).toEqual({ value: order });
  });

  it('when a payload has a bad id, a float price, no lines or an unknown field, then it is rejected', () => {
    const schema = payloadSchemas[EventTypes.OrderCreated];
    expect(schema.validate({ ...order, orderId: 'nope' }).error).toBeDefined();
    expect(schema.validate({ ...order, totalMinor: 25.5 }).error).toBeDefined();
    expect(schema.validate({ ...order, lines: [] }).error).toBeDefined();
    expect(schema.validate({ ...order, $where: '1' }).error).toBeDefined();
  });

  it('when inventory rejects, then each line carries a known reason', () => {
    const schema = payloadSchemas[EventTypes.InventoryRejected];
    const line = { sku: 'MUG-001', requested: 3, available: 1, reason: 'INSUFFICIENT_STOCK' };
    expect(schema.validate({ orderId: order.orderId, lines: [line] }).error).toBeUndefined();
    expect(schema.validate({ orderId: order.orderId, lines: [{ ...line, reason: 'BECAUSE' }] }).error).toBeDefined();
  });
});

describe('event catalogue', () => {
  it('when a type is catalogued, then its topic exists and its current version has a schema', () => {
    for (const { topic, version, schemas } of Object.values(eventCatalogue)) {
      expect(Object.values(Topics)).toContain(topic);
      expect(schemas[version as keyof typeof schemas]).toBeDefined();
    }
  });

  it('when the events of one aggregate are listed, then they share its topic', () => {
    expect(eventTypesOf(Topics.Orders)).toEqual([
      'order.created',
      'order.confirmed',
      'order.rejected',
      'order.cancelled',
    ]);
    expect(eventTypesOf(Topics.Products)).toEqual(['product.created', 'product.updated', 'product.deleted']);
    for (const topic of Object.values(Topics)) expect(eventTypesOf(topic).length).toBeGreaterThan(0);
  });
});
