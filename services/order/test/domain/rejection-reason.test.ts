import type { RejectedLineV1 } from '@platform/events';
import { describeRejection, MAX_REASON_LENGTH } from '../../src/domain/rejection-reason';

describe('describeRejection', () => {
  it('when lines lack stock or are unknown, then the reason names each line and why', () => {
    const reason = describeRejection([
      { sku: 'MUG-1', requested: 5, available: 2, reason: 'INSUFFICIENT_STOCK' },
      { sku: 'TEA-9', requested: 1, available: 0, reason: 'UNKNOWN_SKU' },
    ]);

    expect(reason).toBe('Stock could not be reserved: MUG-1: 5 requested, 2 available; TEA-9 is not stocked');
  });

  it('when many lines fail, then the reason is cut to what order.rejected allows', () => {
    const lines: RejectedLineV1[] = Array.from({ length: 100 }, (_, i) => ({
      sku: `SKU-${i}`,
      requested: 10,
      available: 0,
      reason: 'INSUFFICIENT_STOCK',
    }));

    const reason = describeRejection(lines);

    expect(reason).toHaveLength(MAX_REASON_LENGTH);
    expect(reason.endsWith('…')).toBe(true);
  });
});
