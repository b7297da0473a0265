import { decodeCursor } from '../../src/domain/cursor';

// The codec itself is the kit's (packages/kit/test/cursor.test.ts); the user service answers with its own code.
describe('user list cursor', () => {
  it('when the cursor is not one the list issued, then 400 INVALID_CURSOR', () => {
    expect(() => decodeCursor('A'.repeat(25))).toThrow(
      expect.objectContaining({ code: 'INVALID_CURSOR', status: 400 }),
    );
  });
});
