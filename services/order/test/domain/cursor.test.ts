import { decodeCursor, encodeCursor } from '../../src/domain/cursor';

describe('list cursor', () => {
  it('when a cursor is encoded, then it is URL-safe and decodes to the same position', () => {
    const position = { createdAt: new Date('2026-11-22T10:00:00.123Z'), id: '0123456789abcdef01234567' };

    const cursor = encodeCursor(position);

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64 JSON', 'bm90IGpzb24'],
    ['an object', Buffer.from('{"$gt":""}').toString('base64url')],
    ['a bad date', Buffer.from('["yesterday","0123456789abcdef01234567"]').toString('base64url')],
    ['a bad id', Buffer.from('["2026-11-22T10:00:00Z",{"$ne":null}]').toString('base64url')],
  ])('when the cursor is %s, then 400 names the cursor field', (_what, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'VALIDATION_FAILED',
        extensions: { errors: [expect.objectContaining({ field: '/cursor' })] },
      }),
    );
  });
});
