import type { HttpBulkheadOptions } from './options';

/** Thrown when every slot is busy and the queue is full, or a queued call waited too long: shed it, do not wait. */
export class BulkheadFullError extends Error {
  override name = 'BulkheadFullError';
}

export interface Bulkhead {
  run<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Takes a slot and returns the function that gives it back (idempotent): for work that outlives a promise, such as
   * a response body streamed to a client after the call resolved. Rejects with BulkheadFullError like `run`.
   */
  acquire(): Promise<() => void>;
  readonly active: number;
  readonly queued: number;
}

/** What a bulkhead reports, for metrics: a call shed, and the queue's length whenever it changes. */
export interface BulkheadEvents {
  rejected(): void;
  queued(length: number): void;
}

/** A queued call: what lets it go on, and the timer that sheds it. */
interface Waiter {
  resolve(): void;
  timer: NodeJS.Timeout;
}

/**
 * Caps the calls in flight to one upstream, so a slow upstream holds at most `maxConcurrent` of our requests
 * (and their memory and sockets) instead of all of them. Built here rather than with opossum's `capacity`,
 * because opossum counts a capacity rejection as a failure of the upstream and could open the breaker over
 * our own load.
 *
 * A call that finds every slot busy waits in a queue of `maxQueue`, first come first served, for at most
 * `maxWaitMs`. The queue absorbs a burst, or a stall of our own event loop that leaves answers unread while their
 * slots stay held; the wait's bound keeps shedding for an upstream that really is slow, whose slots do not free.
 */
export function createBulkhead(
  { maxConcurrent, maxQueue, maxWaitMs }: HttpBulkheadOptions,
  events?: BulkheadEvents,
): Bulkhead {
  let active = 0;
  const waiting: Waiter[] = [];

  function reject(reason: string): Promise<never> {
    events?.rejected();
    return Promise.reject(new BulkheadFullError(reason));
  }

  function enqueue(): Promise<void> {
    return new Promise<void>(function wait(resolve, rejectWait) {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(function giveUp() {
          waiting.splice(waiting.indexOf(waiter), 1);
          events?.queued(waiting.length);
          events?.rejected();
          rejectWait(new BulkheadFullError(`no slot free within ${maxWaitMs} ms (${active} calls in flight)`));
        }, maxWaitMs).unref(),
      };
      waiting.push(waiter);
      events?.queued(waiting.length);
    });
  }

  function acquire(): Promise<void> {
    if (active < maxConcurrent) {
      active += 1;
      return Promise.resolve();
    }
    if (waiting.length < maxQueue) return enqueue();
    return reject(`${active} calls in flight and ${waiting.length} queued`);
  }

  function release(): void {
    const next = waiting.shift();
    // The slot passes straight to the oldest waiter: `active` stays put, so a newcomer cannot jump the queue.
    if (next) {
      clearTimeout(next.timer);
      events?.queued(waiting.length);
      next.resolve();
    } else active -= 1;
  }

  async function run<T>(task: () => Promise<T>): Promise<T> {
    await acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }

  async function acquireSlot(): Promise<() => void> {
    await acquire();
    let held = true;
    return function releaseSlot() {
      if (!held) return;
      held = false;
      release();
    };
  }

  return {
    run,
    acquire: acquireSlot,
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
  };
}
