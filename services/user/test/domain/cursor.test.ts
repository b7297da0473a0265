import { decodeCursor, encodeCursor } from '../../src/domain/cursor';

describe('list cursor', () => {
  it('when a cursor is encoded, then it decodes to the same position', () => {
    const position = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: '0123456789abcdef01234567' };

    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    ['not base64 JSON', 'bm90LWpzb24'],
    ['JSON of the wrong shape', Buffer.from('{"$gt":""}').toString('base64url')],
    ['an id that is no ObjectId', Buffer.from('["2026-01-01T00:00:00.000Z","x"]').toString('base64url')],
    ['a date that is no date', Buffer.from('["yesterday","0123456789abcdef01234567"]').toString('base64url')],
  ])('when the cursor is %s, then 400 INVALID_CURSOR', (_case, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR', status: 400 }));
  });
});
