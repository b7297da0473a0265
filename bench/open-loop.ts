import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `send(i, scheduledAt)` `rate` times a second for `seconds`, each call at its scheduled time whatever the
 * earlier ones are doing (open loop: a stall is not hidden by the generator waiting, no coordinated omission).
 * `scheduledAt` is a performance.now() time, from which the caller measures latency: the scheduled time, or the
 * moment of sending when that came first. Resolves once every call has settled; `send` handles its own failures.
 */
export async function openLoop(
  rate: number,
  seconds: number,
  send: (i: number, scheduledAt: number) => Promise<void>,
): Promise<void> {
  const total = Math.round(rate * seconds);
  const intervalMs = 1000 / rate;
  const start = performance.now() + 50;
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + i * intervalMs;
    const wait = scheduled - performance.now();
    if (wait > 1) await sleep(wait);
    // A call sent up to a millisecond early (timers have millisecond steps) counts from when it left, so no
    // latency comes out shorter than the answer took; a late one still counts from its scheduled time.
    inFlight.push(send(i, Math.min(scheduled, performance.now())));
  }
  await Promise.all(inFlight);
}
