import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAppError } from '@platform/kit/core';
import { IdempotencyKeyInProgress, IdempotencyKeyReused } from '../errors';
import type { IdempotencyRecord, IdempotencyScope, IdempotencyStore, StoredResponse } from './ports';

export interface IdempotencyTiming {
  /** How long a claimed key is reserved for its holder; a retry takes over an abandoned key after it. */
  leaseMs: number;
  /** How long a concurrent retry waits for the first request's answer before it gets a 409. */
  waitMs: number;
  pollMs: number;
}

export const DEFAULT_IDEMPOTENCY_TIMING: IdempotencyTiming = { leaseMs: 30_000, waitMs: 3_000, pollMs: 100 };

export interface IdempotentOutcome<TBody> {
  response: StoredResponse<TBody>;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

/**
 * Executes work for the first request with a key; the holder's answer is what it and every retry receive.
 * `execute` gets the id reserved with the key, and must throw AppErrors only before it writes anything.
 * `resumed` is true when the key was taken over from a holder that gave up: that holder may have written already.
 */
export type IdempotentWork<TBody> = (reservedId: string, resumed: boolean) => Promise<StoredResponse<TBody>>;

/**
 * The answer the work gave under a reserved id, rebuilt from what it wrote; null while nothing is written. What the
 * work writes is its record of completion: no second write marks the key done.
 */
export type ReplayAnswer<TBody> = (reservedId: string) => Promise<StoredResponse<TBody> | null>;

/** Same JSON whatever the key order, so `{a, b}` and `{b, a}` are the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashRequest(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * Runs `work` at most once per (user, key). The unique index on the key decides who does the work; the others
 * replay its answer (`replay` rebuilds it from what the work wrote under the id reserved with the key), wait a
 * little for it, or get IDEMPOTENCY_KEY_IN_PROGRESS. A different body under the same key is
 * IDEMPOTENCY_KEY_REUSED.
 */
export async function runIdempotently<TBody>(
  scope: IdempotencyScope,
  requestHash: string,
  work: IdempotentWork<TBody>,
  replay: ReplayAnswer<TBody>,
  keys: IdempotencyStore,
  timing: IdempotencyTiming = DEFAULT_IDEMPOTENCY_TIMING,
): Promise<IdempotentOutcome<TBody>> {
  const deadline = Date.now() + timing.waitMs;
  for (;;) {
    const claimed = await keys.claim(scope, requestHash, timing.leaseMs);
    if (claimed) return { response: await workHolding(claimed, false), replayed: false };

    const existing = await keys.find(scope);
    if (existing) {
      if (existing.requestHash !== requestHash) {
        throw IdempotencyKeyReused('this key was first used with another request body; use a new key');
      }
      // Stored by an earlier version of this same work for this same request (the hash matched), or rebuilt.
      const earlier = (existing.response as StoredResponse<TBody> | undefined) ?? (await replay(existing.orderId));
      if (earlier) return { response: earlier, replayed: true };
      const taken = await keys.takeOver(scope, timing.leaseMs);
      if (taken) return { response: await workHolding(taken, true), replayed: false };
    }
    // Not found means its holder just released it: claim it again on the next turn.
    if (Date.now() >= deadline) {
      throw IdempotencyKeyInProgress('retry in a moment to receive its answer', { headers: { 'retry-after': '1' } });
    }
    await sleep(timing.pollMs);
  }

  async function workHolding(record: IdempotencyRecord, resumed: boolean): Promise<StoredResponse<TBody>> {
    try {
      return await work(record.orderId, resumed);
    } catch (err) {
      // An expected failure (unknown product, product service down) wrote nothing: forget the key so the client can
      // retry with it. After any other failure we cannot know whether the order was written: a retry replays it if
      // it was; if not, the key stays held until its lease expires, and the retry that takes it over completes that
      // same order.
      // If releasing fails, the same lease expiry applies, so the original error is the one worth reporting.
      if (isAppError(err)) await keys.release(scope, record.leaseOwner).catch(function keepOriginalError() {});
      throw err;
    }
  }
}
