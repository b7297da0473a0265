import {
  accountKey,
  answerEdgeBatch,
  createAllowlist,
  createBlockedSet,
  planEdgeBatch,
  type EdgeQuestion,
} from '../../src/domain/rate-limit';

describe('rate-limit keys and allowlist', () => {
  it('when the same email is spelt differently, then it is the same account; a refresh counts per session', () => {
    const key = accountKey(Buffer.from(JSON.stringify({ email: 'Alice@Example.com ' })));
    expect(key).toBe(accountKey({ email: 'alice@example.com' }));
    expect(key).not.toContain('alice');
    expect(accountKey({ refreshToken: 'token-a' })).not.toBe(accountKey({ refreshToken: 'token-b' }));
    expect(accountKey({ refreshToken: 'token-a' })).not.toContain('token');
    expect(accountKey(Buffer.from('not json'))).toBeUndefined();
    expect(accountKey({ password: 'x' })).toBeUndefined();
  });

  it('when an address is in a listed CIDR (also IPv4-mapped), then it is allowlisted', () => {
    const isAllowlisted = createAllowlist(['10.0.0.0/8', 'fd00::/8', '192.168.1.5']);
    expect(isAllowlisted('10.1.2.3')).toBe(true);
    expect(isAllowlisted('::ffff:10.1.2.3')).toBe(true);
    expect(isAllowlisted('fd12::1')).toBe(true);
    expect(isAllowlisted('192.168.1.5')).toBe(true);
    expect(isAllowlisted('192.168.1.6')).toBe(false);
    expect(isAllowlisted('127.0.0.1')).toBe(false);
  });

  it('when a block ends, then the key is free again; when the set is full, then expired entries go first', () => {
    let now = 1_000;
    const blocked = createBlockedSet(2, () => now);
    blocked.add('a', 2_000);
    blocked.add('b', 5_000);
    expect(blocked.until('a')).toBe(2_000);
    now = 2_500;
    expect(blocked.until('a')).toBeUndefined();
    blocked.add('a', 3_000);
    now = 3_500;
    blocked.add('c', 6_000);
    expect([blocked.until('a'), blocked.until('b'), blocked.until('c')]).toEqual([undefined, 5_000, 6_000]);
  });
});

describe('edge batches', () => {
  const ip = (n: number) => ({ key: `ip:${n}`, windowMs: 60_000 });
  const user = { key: 'user:alice', windowMs: 60_000 };

  it('when requests share counters and tokens, then each counter and deny key is asked once with its hits', () => {
    const questions: EdgeQuestion[] = [
      { counters: [ip(1)] },
      { counters: [ip(1), user], denyKey: 'deny:t1' },
      { counters: [ip(2), user], denyKey: 'deny:t1' },
    ];
    expect(planEdgeBatch(questions)).toEqual({
      counters: [
        { key: 'ip:1', windowMs: 60_000, hits: 2 },
        { key: 'user:alice', windowMs: 60_000, hits: 2 },
        { key: 'ip:2', windowMs: 60_000, hits: 1 },
      ],
      denyKeys: ['deny:t1'],
    });
  });

  it('when a counter rose by its hits, then its requests get consecutive counts in the order they asked', () => {
    const questions: EdgeQuestion[] = [
      { counters: [ip(1)] },
      { counters: [ip(1), user], denyKey: 'deny:t1' },
      { counters: [ip(2)], denyKey: 'deny:t2' },
      { counters: [ip(1)] },
    ];
    const batch = planEdgeBatch(questions);
    // ip:1 was at 4 before the batch (7 after its 3 hits), user:alice new, ip:2 at 9; t2 is revoked.
    const totals = [
      { count: 7, resetMs: 30_000 },
      { count: 1, resetMs: 60_000 },
      { count: 10, resetMs: 5_000 },
    ];
    expect(answerEdgeBatch(questions, batch, totals, [false, true])).toEqual([
      { counts: [{ count: 5, resetMs: 30_000 }], revoked: false },
      {
        counts: [
          { count: 6, resetMs: 30_000 },
          { count: 1, resetMs: 60_000 },
        ],
        revoked: false,
      },
      { counts: [{ count: 10, resetMs: 5_000 }], revoked: true },
      { counts: [{ count: 7, resetMs: 30_000 }], revoked: false },
    ]);
  });
});
