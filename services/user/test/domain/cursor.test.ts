import { cursorPattern, decodeCursor, encodeCursor } from '../../src/domain/cursor';

describe('list cursor', () => {
  it('when a cursor is encoded, then it matches the documented pattern and decodes to the same position', () => {
    const position = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: '0123456789abcdef01234567' };
    const cursor = encodeCursor(position);

    expect(cursor).toMatch(new RegExp(cursorPattern));
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it('when any string of the pattern is given, then it decodes to a valid position (schema and handler agree)', () => {
    for (const cursor of ['AAAAAAAAAAAAAAAAAAAAAAAA', '________________________', 'bm90LWEtY3Vyc29yLWF0LWFs']) {
      const { createdAt, id } = decodeCursor(cursor);
      expect(Number.isNaN(createdAt.getTime())).toBe(false);
      expect(id).toMatch(/^[0-9a-f]{24}$/);
    }
  });

  it.each([
    ['too short', 'bm90LWpzb24'],
    ['too long', 'A'.repeat(25)],
    ['not base64url', `${'A'.repeat(23)}+`],
  ])('when the cursor is %s, then 400 INVALID_CURSOR', (_case, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR', status: 400 }));
  });
});
