import { setTimeout as sleep } from 'node:timers/promises';
import type { FailureKind } from '../errors/failure-kind';

export interface BackoffOptions {
  /** Delay after the first failed attempt. Default 500 ms. */
  initialMs?: number;
  /** Upper bound for any one delay. Default 30 s. */
  maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  factor?: number;
}

export interface RetryOptions {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  backoff: BackoffOptions;
  /**
   * Keeps the group membership alive while we wait. Throws when the group is rebalancing; that propagates on
   * purpose: the message stays unresolved, and whoever owns the partition afterwards gets it again.
   */
  heartbeat: () => Promise<void>;
  /** False once the consumer is stopping or the partition's position was moved (a seek): give up waiting. */
  shouldContinue: () => boolean;
  onRetry: (error: Error, attempt: number, delayMs: number) => void;
  /**
   * Sorts a failure: `transient` and `poison` end the attempts at once (the caller retries later without counting,
   * or dead-letters); `unknown` is retried here until maxAttempts.
   */
  classify: (error: Error) => FailureKind;
}

export type RetryResult =
  | { status: 'succeeded' }
  | { status: 'exhausted'; error: Error; attempts: number }
  | { status: 'transient'; error: Error; attempts: number }
  | { status: 'poison'; error: Error; attempts: number }
  | { status: 'interrupted' };

/** Exponential, without jitter: retries of one message by one consumer cannot stampede anything. */
export function backoffDelay(
  failedAttempts: number,
  { initialMs = 500, maxMs = 30_000, factor = 2 }: BackoffOptions,
): number {
  return Math.min(maxMs, initialMs * factor ** (failedAttempts - 1));
}

/**
 * Runs `attempt` until it succeeds, fails in a way that retrying here cannot fix (transient: the infrastructure is
 * down, retry later; poison: the input is bad, never retry), or has failed `maxAttempts` times. Retrying in place
 * (rather than through a retry topic) keeps the partition's order, at the price of holding the partition meanwhile.
 */
export async function runWithRetries(
  attempt: (attemptNumber: number) => Promise<void>,
  options: RetryOptions,
): Promise<RetryResult> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      await attempt(attemptNumber);
      return { status: 'succeeded' };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const kind = options.classify(error);
      if (kind !== 'unknown') return { status: kind, error, attempts: attemptNumber };
      if (attemptNumber >= options.maxAttempts) return { status: 'exhausted', error, attempts: attemptNumber };
      const delayMs = backoffDelay(attemptNumber, options.backoff);
      options.onRetry(error, attemptNumber, delayMs);
      if (!(await waitWithHeartbeats(delayMs, options))) return { status: 'interrupted' };
    }
  }
}

/** Longest stretch without a heartbeat call; kafkajs only sends one when its heartbeatInterval has passed. */
const HEARTBEAT_SLICE_MS = 1_000;

/**
 * Sleeps in slices so the group does not evict us during a long backoff, and so stop() does not wait out the
 * whole delay. Returns false when interrupted: the message stays unresolved and is redelivered later.
 */
async function waitWithHeartbeats(delayMs: number, { heartbeat, shouldContinue }: RetryOptions): Promise<boolean> {
  const deadline = Date.now() + delayMs;
  for (let remaining = delayMs; remaining > 0; remaining = deadline - Date.now()) {
    await sleep(Math.min(remaining, HEARTBEAT_SLICE_MS));
    if (!shouldContinue()) return false;
    await heartbeat();
  }
  return shouldContinue();
}
