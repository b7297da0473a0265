import { createTimeIdCursorCodec } from '@platform/kit/core';

class BadCursor extends Error {}
const codec = createTimeIdCursorCodec(() => new BadCursor('not a cursor'));

describe('time-and-id list cursor', () => {
  it('when a cursor is encoded, then it matches the documented pattern and decodes to the same position', () => {
    const position = { createdAt: new Date('2026-11-22T10:00:00.123Z'), id: '0123456789abcdef01234567' };

    const cursor = codec.encode(position);

    expect(cursor).toMatch(new RegExp(codec.pattern));
    expect(codec.decode(cursor)).toEqual(position);
  });

  it('when any string of the pattern is given, then it decodes to a valid position (schema and handler agree)', () => {
    for (const cursor of ['AAAAAAAAAAAAAAAAAAAAAAAA', '________________________', 'bm90LWEtY3Vyc29yLWF0LWFs']) {
      const { createdAt, id } = codec.decode(cursor);
      expect(Number.isNaN(createdAt.getTime())).toBe(false);
      expect(id).toMatch(/^[0-9a-f]{24}$/);
    }
  });

  it.each([
    ['too short', 'bm90LWpzb24'],
    ['too long', 'A'.repeat(25)],
    ['not base64url', `${'A'.repeat(23)}+`],
    ['an object', Buffer.from('{"$gt":""}').toString('base64url')],
  ])('when the cursor is %s, then the service-given error is thrown', (_case, cursor) => {
    expect(() => codec.decode(cursor)).toThrow(BadCursor);
  });
});
