import {
  accountKey,
  answerEdgeBatch,
  createEdgeTally,
  createAllowlist,
  createBlockedSet,
  createCounterView,
  createRevocationView,
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

/** One batch of these questions, as the store gathers them. */
function planEdgeBatch(questions: readonly EdgeQuestion[]) {
  const tally = createEdgeTally();
  for (const question of questions) tally.add(question);
  return tally.take();
}

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

describe('edge tally', () => {
  const ip = (n: number) => ({ key: `ip:${n}`, windowMs: 60_000 });

  it('when calls that do not wait are tallied, then waiting ones asked with them are counted after them', () => {
    const tally = createEdgeTally();
    tally.add({ counters: [ip(1)] });
    tally.add({ counters: [ip(1)], denyKey: 'deny:t1' });
    const asked: EdgeQuestion[] = [{ counters: [ip(1)] }, { counters: [ip(2)] }];
    for (const question of asked) tally.add(question);
    expect(tally.size).toBe(4);

    const batch = tally.take();
    expect(batch).toEqual({
      counters: [
        { key: 'ip:1', windowMs: 60_000, hits: 3 },
        { key: 'ip:2', windowMs: 60_000, hits: 1 },
      ],
      denyKeys: ['deny:t1'],
    });
    // ip:1 went from 4 to 7: the two calls that did not wait took 5 and 6, the one that waits gets 7.
    const totals = [
      { count: 7, resetMs: 30_000 },
      { count: 1, resetMs: 60_000 },
    ];
    expect(answerEdgeBatch(asked, batch, totals, [false])).toEqual([
      { counts: [{ count: 7, resetMs: 30_000 }], revoked: false },
      { counts: [{ count: 1, resetMs: 60_000 }], revoked: false },
    ]);
  });

  it('when a batch is taken, then the next one starts empty', () => {
    const tally = createEdgeTally();
    tally.add({ counters: [ip(1)], denyKey: 'deny:t1' });
    tally.take();
    expect(tally.size).toBe(0);
    expect(tally.take()).toEqual({ counters: [], denyKeys: [] });
  });
});

describe('counter view', () => {
  const limit = { max: 10, windowMs: 60_000 };

  it('when the store has not answered for a key, then calls wait for it', () => {
    const view = createCounterView();
    expect(view.admit([{ key: 'ip:a', limit }], 0)).toBeUndefined();
  });

  it('when the store answered, then calls go through on the view up to half the limit, each counted', () => {
    const view = createCounterView();
    view.learn('ip:a', 2, 30_000, 1_000);

    const admitted = [3, 4, 5].map(() => view.admit([{ key: 'ip:a', limit }], 2_000));

    expect(admitted).toEqual([
      [{ count: 3, resetMs: 29_000 }],
      [{ count: 4, resetMs: 29_000 }],
      [{ count: 5, resetMs: 29_000 }],
    ]);
    expect(view.admit([{ key: 'ip:a', limit }], 2_000)).toBeUndefined();
  });

  it('when the store answers a higher count (other replicas), then the view takes it; a lower one (late) changes nothing', () => {
    const view = createCounterView();
    view.learn('ip:a', 1, 30_000, 0);
    view.learn('ip:a', 5, 30_000, 10);
    expect(view.admit([{ key: 'ip:a', limit }], 20)).toBeUndefined();

    view.learn('ip:b', 3, 30_000, 0);
    view.learn('ip:b', 1, 30_000, 10);
    expect(view.admit([{ key: 'ip:b', limit }], 20)).toMatchObject([{ count: 4 }]);
  });

  it('when the window has ended, then the view is not used until the store answers for the new one', () => {
    const view = createCounterView();
    view.learn('ip:a', 4, 1_000, 0);
    expect(view.admit([{ key: 'ip:a', limit }], 1_000)).toBeUndefined();

    view.learn('ip:a', 1, 60_000, 1_000);
    expect(view.admit([{ key: 'ip:a', limit }], 1_001)).toEqual([{ count: 2, resetMs: 59_999 }]);
  });

  it('when the view is full, then ended windows go first, then the oldest key', () => {
    const view = createCounterView(2);
    view.learn('ip:old', 1, 100, 0);
    view.learn('ip:kept', 1, 60_000, 0);
    view.learn('ip:new', 1, 60_000, 200);
    expect(view.admit([{ key: 'ip:kept', limit }], 300)).toBeDefined();
    expect(view.admit([{ key: 'ip:new', limit }], 300)).toBeDefined();

    view.learn('ip:newest', 1, 60_000, 400);
    expect(view.admit([{ key: 'ip:kept', limit }], 500)).toBeUndefined();
    expect(view.admit([{ key: 'ip:newest', limit }], 500)).toBeDefined();
  });

  it('when a call has several counters, then it goes through only if all are far below their limits, and only then is counted', () => {
    const view = createCounterView();
    const user = { max: 4, windowMs: 60_000 };
    view.learn('ip:a', 1, 60_000, 0);
    view.learn('user:u', 1, 60_000, 0);
    const both = [
      { key: 'ip:a', limit },
      { key: 'user:u', limit: user },
    ];

    expect(view.admit(both, 10)).toEqual([
      { count: 2, resetMs: 59_990 },
      { count: 2, resetMs: 59_990 },
    ]);
    // The user's view is at half its limit: the call waits, and the address is not counted in the view.
    expect(view.admit(both, 20)).toBeUndefined();
    expect(view.admit([{ key: 'ip:a', limit }], 30)).toEqual([{ count: 3, resetMs: 59_970 }]);
  });
});

describe('revocation view', () => {
  it('when a token was read not revoked, then it is known so for the fresh time, then the store must be asked again', () => {
    const view = createRevocationView(1_000);
    expect(view.revoked('t1', 0)).toBeUndefined();

    view.learn('t1', false, 0);

    expect(view.revoked('t1', 999)).toBe(false);
    expect(view.revoked('t1', 1_000)).toBeUndefined();
    view.learn('t1', false, 1_500);
    expect(view.revoked('t1', 2_000)).toBe(false);
  });

  it('when a token was read revoked, then it stays revoked, even if a late answer said otherwise', () => {
    const view = createRevocationView(1_000);
    view.learn('t1', false, 0);
    view.learn('t1', true, 10);
    view.learn('t1', false, 20);

    expect(view.revoked('t1', 30)).toBe(true);
    expect(view.revoked('t1', 60_000)).toBe(true);
  });

  it('when the freshness is 0, then the store is always asked', () => {
    const view = createRevocationView(0);
    view.learn('t1', false, 0);
    expect(view.revoked('t1', 0)).toBeUndefined();
  });

  it('when the view is full, then stale entries go first, then the oldest', () => {
    const view = createRevocationView(1_000, 2);
    view.learn('stale', false, 0);
    view.learn('revoked', true, 0);
    view.learn('fresh', false, 1_500);

    expect(view.revoked('revoked', 1_600)).toBe(true);
    expect(view.revoked('fresh', 1_600)).toBe(false);
    view.learn('newest', false, 1_700);
    expect(view.revoked('revoked', 1_800)).toBeUndefined();
    expect(view.revoked('fresh', 1_800)).toBe(false);
    expect(view.revoked('newest', 1_800)).toBe(false);
  });
});
