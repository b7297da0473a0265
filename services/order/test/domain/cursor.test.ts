import { decodeCursor } from '../../src/domain/cursor';

// The codec itself is the kit's (packages/kit/test/cursor.test.ts); the order service answers with its own code.
describe('order list cursor', () => {
  it('when the cursor is not one the list issued, then 400 VALIDATION_FAILED names the cursor field', () => {
    expect(() => decodeCursor('bm90IGpzb24')).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'VALIDATION_FAILED',
        extensions: { errors: [expect.objectContaining({ field: '/cursor' })] },
      }),
    );
  });
});
