import { createHash } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * The account a credential request is about: the email in its JSON body, trimmed and lower-cased so that
 * "Alice@X.com " and "alice@x.com" share one budget; for a refresh, the refresh token (a session), so that users
 * behind one NAT address do not share five refreshes. Hashed: Redis keys are no place for personal data or secrets.
 */
export function accountKey(body: unknown): string | undefined {
  let parsed: unknown = body;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    try {
      parsed = JSON.parse(body.toString());
    } catch {
      return undefined;
    }
  }
  const { email, refreshToken } = (parsed ?? {}) as { email?: unknown; refreshToken?: unknown };
  const account =
    typeof email === 'string' && email.trim() !== ''
      ? `email:${email.trim().toLowerCase()}`
      : typeof refreshToken === 'string' && refreshToken !== ''
        ? `session:${refreshToken}`
        : undefined;
  return account && createHash('sha256').update(account).digest('base64url').slice(0, 22);
}

/** Internal callers by address; IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) count as their IPv4 address. */
export function createAllowlist(entries: readonly string[]): (ip: string) => boolean {
  // The usual case: no internal caller is exempt, and no call pays for parsing its address.
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return function isAllowlisted(ip) {
    const plain = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
    if (isIPv4(plain)) return list.check(plain, 'ipv4');
    return isIPv6(plain) && list.check(plain, 'ipv6');
  };
}

/** Before a new key goes into a map bounded to `maxEntries`: ended entries are swept, then the oldest goes. */
function makeRoom<V>(entries: Map<string, V>, maxEntries: number, ended: (value: V) => boolean): void {
  if (entries.size < maxEntries) return;
  for (const [key, value] of entries) if (ended(value)) entries.delete(key);
  if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
}

export interface BlockedSet {
  add(key: string, untilMs: number): void;
  /** When the block on `key` ends (epoch ms), or undefined when it is not blocked. */
  until(key: string): number | undefined;
}

/**
 * Keys known to be over their limit until their window ends, remembered in this replica so that a flood is
 * refused without a Redis round trip. Bounded: beyond `maxEntries`, expired entries are swept, then the oldest go.
 */
export function createBlockedSet(maxEntries = 50_000, now: () => number = Date.now): BlockedSet {
  const entries = new Map<string, number>();
  return {
    add(key, untilMs) {
      const time = now();
      makeRoom(entries, maxEntries, (until) => until <= time);
      entries.set(key, untilMs);
    },
    until(key) {
      const until = entries.get(key);
      if (until === undefined) return undefined;
      if (until > now()) return until;
      entries.delete(key);
      return undefined;
    },
  };
}

/** A fixed-window limit: at most `max` calls per `windowMs`. */
export interface WindowLimit {
  max: number;
  windowMs: number;
}

/**
 * This replica's view of shared counters, so that a call far below its limits need not wait for the shared store:
 * the count the store last answered for each key, plus the calls this replica let through since. `admit` lets a
 * call through on the view alone while the view of each of its counters stays at or below half its limit,
 * counting it in the view (the call is still counted in the store, without waiting for the answer); past half,
 * and before the store's first answer for a key, calls wait for the store's exact count. Other replicas' calls
 * reach the view with the store's next answer, one round trip later: to go over a limit unseen, more than half of
 * it would have to arrive within that round trip.
 */
export interface CounterView {
  /**
   * Each counter's estimated count and its window's remaining time, if the call may go through on the view alone;
   * then, and only then, the call is counted in the view of every one of them.
   */
  admit(
    counters: ReadonlyArray<{ key: string; limit: WindowLimit }>,
    now: number,
  ): Array<{ count: number; resetMs: number }> | undefined;
  /** The store's answer for a call on `key`: its count and the window's remaining time. */
  learn(key: string, count: number, resetMs: number, now: number): void;
}

export function createCounterView(maxEntries = 50_000): CounterView {
  const entries = new Map<string, { count: number; resetAt: number }>();
  return {
    admit(counters, now) {
      const found = counters.map(({ key }) => entries.get(key));
      const admissible = found.every(
        (entry, i) => entry && entry.resetAt > now && entry.count + 1 <= counters[i]!.limit.max / 2,
      );
      if (!admissible) return undefined;
      return found.map((entry) => {
        entry!.count++;
        return { count: entry!.count, resetMs: entry!.resetAt - now };
      });
    },
    learn(key, count, resetMs, now) {
      const entry = entries.get(key);
      // The same window: answers may arrive out of order and after calls the view let through, so keep the higher.
      if (entry && entry.resetAt > now) {
        entry.count = Math.max(entry.count, count);
        return;
      }
      if (!entry) makeRoom(entries, maxEntries, (e) => e.resetAt <= now);
      entries.set(key, { count, resetAt: now + resetMs });
    },
  };
}

/**
 * What this replica last read of tokens' deny-list entries (by the entry's key), so that a call whose token the
 * store found not revoked a moment ago need not wait to read it again: `revoked(denyKey, now)` is false while the
 * last answer for the token said "not revoked" and is at most `freshMs` old, true once an answer said "revoked" (a
 * revocation is final), and undefined when the store must be asked. Bounded: beyond `maxEntries`, stale entries are swept, then the oldest go.
 */
export interface RevocationView {
  revoked(denyKey: string, now: number): boolean | undefined;
  learn(denyKey: string, revoked: boolean, now: number): void;
}

export function createRevocationView(freshMs: number, maxEntries = 50_000): RevocationView {
  const entries = new Map<string, { revoked: boolean; at: number }>();
  const stale = (entry: { revoked: boolean; at: number }, now: number) => !entry.revoked && entry.at + freshMs <= now;
  return {
    revoked(denyKey, now) {
      const entry = entries.get(denyKey);
      if (!entry) return undefined;
      return stale(entry, now) ? undefined : entry.revoked;
    },
    learn(denyKey, revoked, now) {
      const entry = entries.get(denyKey);
      if (entry) {
        entry.revoked ||= revoked;
        entry.at = Math.max(entry.at, now);
        return;
      }
      makeRoom(entries, maxEntries, (e) => stale(e, now));
      entries.set(denyKey, { revoked, at: now });
    },
  };
}

/** What one request asks of the shared store: count it against these fixed-window counters, and is its token revoked. */
export interface EdgeQuestion {
  counters: ReadonlyArray<{ key: string; windowMs: number }>;
  /** The token's deny-list key, for an authenticated request. */
  denyKey?: string;
}

export interface EdgeAnswer {
  /** One per counter asked, in order: the request's own count in the window, and the window's remaining time. */
  counts: Array<{ count: number; resetMs: number }>;
  /** Whether the deny-list holds the token; false when no token was asked about. */
  revoked: boolean;
}

/** The questions of many requests as one store call: each counter key once with its number of hits, each deny key once. */
export interface EdgeBatch {
  counters: Array<{ key: string; windowMs: number; hits: number }>;
  denyKeys: string[];
}

/**
 * A batch gathered as questions come: what a question adds is its hit on each counter and its deny key, so a
 * request that does not wait for its answer leaves nothing of its own behind (no promise, no closure holding the
 * request until the batch goes); `take` returns the batch and starts the next.
 */
export interface EdgeTally {
  add(question: EdgeQuestion): void;
  /** The questions added since the last `take`. */
  readonly size: number;
  take(): EdgeBatch;
}

export function createEdgeTally(): EdgeTally {
  let counters = new Map<string, { key: string; windowMs: number; hits: number }>();
  let denyKeys = new Set<string>();
  let size = 0;
  return {
    add(question) {
      size++;
      for (const { key, windowMs } of question.counters) {
        const counter = counters.get(key);
        if (counter) counter.hits++;
        else counters.set(key, { key, windowMs, hits: 1 });
      }
      if (question.denyKey !== undefined) denyKeys.add(question.denyKey);
    },
    get size() {
      return size;
    },
    take() {
      const batch = { counters: [...counters.values()], denyKeys: [...denyKeys] };
      counters = new Map();
      denyKeys = new Set();
      size = 0;
      return batch;
    },
  };
}

/**
 * The answers of the `questions` that wait for theirs, from the batch's: a counter that the batch raised to
 * `count` gave those questions the counts count - n + 1 ... count (n: how many of them hit it) in the order they
 * asked, exactly what one increment per request in that order gives, with the batch's other hits (calls that did
 * not wait) counted first. `totals` holds, per counter of the batch, its count after the batch and its remaining
 * time; `revoked` per deny key.
 */
export function answerEdgeBatch(
  questions: readonly EdgeQuestion[],
  batch: EdgeBatch,
  totals: ReadonlyArray<{ count: number; resetMs: number }>,
  revoked: readonly boolean[],
): EdgeAnswer[] {
  const waiting = new Map<string, number>();
  for (const question of questions) {
    for (const { key } of question.counters) waiting.set(key, (waiting.get(key) ?? 0) + 1);
  }
  const next = new Map<string, { count: number; resetMs: number }>();
  batch.counters.forEach(({ key }, i) => {
    const total = totals[i]!;
    next.set(key, { count: total.count - (waiting.get(key) ?? 0) + 1, resetMs: total.resetMs });
  });
  const revokedKeys = new Set(batch.denyKeys.filter((_, i) => revoked[i]));
  return questions.map((question) => ({
    counts: question.counters.map(({ key }) => {
      const counter = next.get(key)!;
      const answer = { count: counter.count, resetMs: counter.resetMs };
      counter.count++;
      return answer;
    }),
    revoked: question.denyKey !== undefined && revokedKeys.has(question.denyKey),
  }));
}
