import type { Redis } from 'ioredis';
import { answerEdgeBatch, createEdgeTally, type EdgeAnswer, type EdgeQuestion } from '../domain/rate-limit';

/**
 * One round trip for everything a batch of requests asks Redis: each fixed-window counter raised by its number of
 * hits (INCRBY; the window starts with its first hit) with its remaining time, then whether each deny-list key
 * exists. KEYS: the counters, then the deny-list keys; ARGV: the number of counters, then each counter's hits and
 * window in ms. Atomic like any script: no other client's increment lands between a batch's.
 */
const COUNT_AND_CHECK = `
local counters = tonumber(ARGV[1])
local result = {}
for i = 1, counters do
  local window = ARGV[2 * i + 1]
  local count = redis.call('INCRBY', KEYS[i], ARGV[2 * i])
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[i], window)
    ttl = tonumber(window)
  end
  result[2 * i - 1] = count
  result[2 * i] = ttl
end
for j = counters + 1, #KEYS do result[counters + j] = redis.call('EXISTS', KEYS[j]) end
return result`;

type CountAndCheck = (numberOfKeys: number, ...keysAndArgs: Array<string | number>) => Promise<number[]>;

function countAndCheck(redis: Redis): CountAndCheck {
  const name = 'gatewayCountAndCheckBatch';
  if (!(name in redis)) redis.defineCommand(name, { lua: COUNT_AND_CHECK });
  const command = (redis as unknown as Record<string, CountAndCheck>)[name]!;
  return command.bind(redis);
}

/** What the store answered for a whole batch: each counter's count after it, and each deny key's entry. */
export interface EdgeBatchAnswer {
  counters: Array<{ key: string; count: number; resetMs: number }>;
  denyKeys: Array<{ key: string; revoked: boolean }>;
}

export interface EdgeStoreOptions {
  /** Longest a call that did not wait for its count leaves it uncounted in Redis. */
  syncMs: number;
  /** Every batch's answer, calls that waited and calls that did not alike: how this replica's views learn. */
  learned(answer: EdgeBatchAnswer): void;
  /** A batch Redis did not answer, with the number of calls in it that had gone on without waiting (1 or more). */
  lost(err: unknown, calls: number): void;
}

export interface EdgeStore {
  /** Counts the request and reads its token's deny-list entry, at the end of this turn; rejects when Redis cannot answer. */
  ask(question: EdgeQuestion): Promise<EdgeAnswer>;
  /**
   * Counts a request that went on without waiting for its count: with the next `ask`, or within `syncMs`, whichever
   * comes first. Nothing is lost, nothing counted twice; the answer reaches `learned` with its batch's.
   */
  tell(question: EdgeQuestion): void;
  /** Sends what is waiting now (the app is closing). */
  flush(): Promise<void>;
}

interface Waiting {
  question: EdgeQuestion;
  resolve(answer: EdgeAnswer): void;
  reject(err: unknown): void;
}

/**
 * The edge's questions, asked in one script call: those of one event-loop turn that wait for their answer when the
 * turn ends (setImmediate), together with the counts of calls that did not wait, which otherwise go at most
 * `syncMs` later. Under load the requests of a turn share one command, one reply to parse and one promise; at a
 * moderate rate, calls far below their limit cost no Redis round trip of their own (at 500 anonymous calls a
 * second, about ten script calls instead of 500). A call that did not wait is tallied at once (its hits and deny
 * key): thousands of them a second would otherwise each keep a promise and its request alive for up to `syncMs`,
 * long enough for the young generation's collections to copy and then promote them. Counting stays exact: the
 * batch's increments apply atomically, and each waiting request gets the count that one increment per request
 * would have given it, after the calls that did not wait.
 */
export function createEdgeStore(redis: Redis, options: EdgeStoreOptions): EdgeStore {
  const run = countAndCheck(redis);
  const told = createEdgeTally();
  let waiting: Waiting[] = [];
  let atTurnEnd: NodeJS.Immediate | undefined;
  let later: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    clearImmediate(atTurnEnd);
    clearTimeout(later);
    atTurnEnd = undefined;
    later = undefined;
    const asked = waiting;
    waiting = [];
    const toldCalls = told.size;
    for (const w of asked) told.add(w.question);
    if (told.size === 0) return;
    const batch = told.take();
    const keys = [...batch.counters.map((c) => c.key), ...batch.denyKeys];
    const args = [batch.counters.length, ...batch.counters.flatMap((c) => [c.hits, c.windowMs])];
    let result: number[];
    try {
      result = await run(keys.length, ...keys, ...args);
    } catch (err) {
      if (toldCalls > 0) options.lost(err, toldCalls);
      for (const w of asked) w.reject(err);
      return;
    }
    const totals = batch.counters.map((_, i) => ({ count: result[2 * i]!, resetMs: result[2 * i + 1]! }));
    const revoked = batch.denyKeys.map((_, j) => result[2 * batch.counters.length + j] === 1);
    options.learned({
      counters: batch.counters.map(({ key }, i) => ({ key, ...totals[i]! })),
      denyKeys: batch.denyKeys.map((key, j) => ({ key, revoked: revoked[j]! })),
    });
    const answers = answerEdgeBatch(
      asked.map((w) => w.question),
      batch,
      totals,
      revoked,
    );
    asked.forEach((w, i) => w.resolve(answers[i]!));
  }

  return {
    ask(question) {
      return new Promise<EdgeAnswer>((resolve, reject) => {
        waiting.push({ question, resolve, reject });
        atTurnEnd ??= setImmediate(() => void flush());
      });
    },
    tell(question) {
      told.add(question);
      if (!atTurnEnd) later ??= setTimeout(() => void flush(), options.syncMs).unref();
    },
    flush,
  };
}
