import RequestQueue from 'kafkajs/src/network/requestQueue';
import { version } from 'kafkajs/package.json';

/** The kafkajs release this patch was written against (its last: the project is no longer maintained). */
export const PATCHED_KAFKAJS_VERSION = '2.2.4';

/**
 * Stops kafkajs 2.2.4 from waking every broker connection up about 1,000 times a second.
 *
 * Each connection's request queue re-checks its pending requests on a timer. With nothing throttled
 * (`throttledUntil` = -1) and nothing pending, `scheduleCheckPendingRequests` arms that timer with the delay
 * `-1 - Date.now()`, which Node runs after 1 ms (and Node 24 reports as a TimeoutNegativeWarning), and the check it
 * runs arms it again: a 1 ms loop per connection from its first response on, for the life of the process
 * (tulios/kafkajs#1556, #1704, #1751; the fix, tulios/kafkajs#1667, was never merged). Measured on this project's
 * machine: a process holding a producer, a consumer and an admin idled at 4.0% of a core, 0.8% with this patch.
 *
 * The fix is #1667's: with nothing pending there is nothing to schedule. A request that cannot be sent at once is
 * put in `pending` and schedules its own check (push), and every response or timeout checks the queue anyway, so
 * no request waits on the timer this skips. Applied once, when the kit's Kafka client module loads; another kafkajs
 * version is left alone (the kit's test of this patch then fails, to have it looked at again).
 */
export function patchRequestQueue(): boolean {
  if (version !== PATCHED_KAFKAJS_VERSION) return false;
  const proto = RequestQueue.prototype;
  const schedule = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function scheduleOnlyWhenPending(this: RequestQueue) {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
  return true;
}
