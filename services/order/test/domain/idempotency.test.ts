import { hashRequest } from '../../src/domain/idempotency';

describe('hashRequest', () => {
  const lines = [{ productId: 'a'.repeat(24), quantity: 2 }];

  it('when two bodies differ only in key order or absent optional fields, then they are the same request', () => {
    expect(hashRequest({ lines, currency: undefined })).toBe(
      hashRequest({ lines: [{ quantity: 2, productId: 'a'.repeat(24) }] }),
    );
  });

  it('when a value or the line order differs, then it is another request', () => {
    const other = [{ productId: 'b'.repeat(24), quantity: 1 }];

    expect(hashRequest({ lines })).not.toBe(hashRequest({ lines: [{ ...lines[0], quantity: 3 }] }));
    expect(hashRequest({ lines: [...lines, ...other] })).not.toBe(hashRequest({ lines: [...other, ...lines] }));
    expect(hashRequest({ lines, currency: 'EUR' })).not.toBe(hashRequest({ lines }));
  });
});
