/**
 * Garbage-collection pauses and event-loop stalls of a process, each with its wall-clock start, for the tail
 * diagnosis (`npm run bench -- gateway-tail`). A stall is a 2 ms interval timer firing at least 3 ms late: the loop
 * was busy (a long task, a pause) or waited for a core. `--trace-gc` would give the pauses too, but Node refuses
 * it in NODE_OPTIONS, and it has no stalls.
 *
 * Preloaded (`NODE_OPTIONS=--require <this file>`) with `PAUSE_LOG` set, it observes the whole process and writes
 * what it saw there as JSON when the process exits; the load generator's worker thread (bench/open-loop-worker.ts)
 * calls `observePauses()` to watch its own loop.
 */
'use strict';
const fs = require('node:fs');
const { PerformanceObserver, performance } = require('node:perf_hooks');
const { setInterval, clearInterval } = require('node:timers');

// perf_hooks' NODE_PERFORMANCE_GC_* flags.
const kinds = {
  1: 'scavenge',
  2: 'minor-mark-sweep',
  4: 'mark-compact',
  8: 'incremental-marking',
  16: 'weak-callbacks',
};
const everyMs = 2;

/** Starts observing; `events` fills with [wall-clock start in ms since the epoch, duration in ms, kind]. */
function observePauses() {
  const events = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      events.push([performance.timeOrigin + entry.startTime, entry.duration, kinds[entry.detail.kind] ?? 'gc']);
    }
  });
  gc.observe({ type: 'gc' });
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - everyMs;
    if (late >= 3) events.push([performance.timeOrigin + last + everyMs, late, 'stall']);
    last = now;
  }, everyMs).unref();
  return {
    events,
    stop() {
      gc.disconnect();
      clearInterval(timer);
    },
  };
}

const file = process.env.PAUSE_LOG;
if (file) {
  const { events } = observePauses();
  process.on('exit', () => fs.writeFileSync(file, JSON.stringify({ pid: process.pid, events })));
}

module.exports = { observePauses };
