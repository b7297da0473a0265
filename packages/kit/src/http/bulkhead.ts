import type { HttpBulkheadOptions } from './options';

/** Thrown when every slot is busy and the queue is full; the caller should shed the request, not wait. */
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

/**
 * Caps the calls in flight to one upstream, so a slow upstream holds at most `maxConcurrent` of our requests
 * (and their memory and sockets) instead of all of them. Built here rather than with opossum's `capacity`,
 * because opossum counts a capacity rejection as a failure of the upstream and could open the breaker over
 * our own load.
 */
export function createBulkhead({ maxConcurrent, maxQueue }: HttpBulkheadOptions, onReject?: () => void): Bulkhead {
  let active = 0;
  const waiting: Array<() => void> = [];

  function acquire(): Promise<void> {
    if (active < maxConcurrent) {
      active += 1;
      return Promise.resolve();
    }
    if (waiting.length < maxQueue) return new Promise<void>((resolve) => waiting.push(resolve));
    onReject?.();
    return Promise.reject(new BulkheadFullError(`${active} calls in flight and ${waiting.length} queued`));
  }

  function release(): void {
    const next = waiting.shift();
    // The slot passes straight to the oldest waiter: `active` stays put, so a newcomer cannot jump the queue.
    if (next) next();
    else active -= 1;
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
