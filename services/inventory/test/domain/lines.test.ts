import { aggregateLines } from '../../src/domain/lines';

describe('aggregateLines', () => {
  it('when an order lists a sku twice, then its quantities are summed into one line, in first-seen order', () => {
    expect(
      aggregateLines([
        { sku: 'B-1', quantity: 2 },
        { sku: 'A-1', quantity: 1 },
        { sku: 'B-1', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'B-1', quantity: 5 },
      { sku: 'A-1', quantity: 1 },
    ]);
  });
});
