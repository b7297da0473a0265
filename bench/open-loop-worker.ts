/**
 * The fixed-rate load of the gateway benchmarks (`openLoopThread`), run in a worker thread: its isolate, and so
 * its garbage collections, are apart from the benchmark runner's, which holds every run's figures and whose
 * scavenges of 18-26 ms, seen by `npm run bench -- gateway-tail`, delayed every call in flight and landed in the
 * slowest 1% of the direct calls and of the calls through the gateway alike. The worker keeps nothing per call but
 * numbers in typed arrays, so its own young generation stays small and its collections short.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';
import { openLoop } from './open-loop';
import type { OpenLoopCalls, OpenLoopDone, OpenLoopJob, OpenLoopMessage } from './open-loop-thread';

const job = workerData as OpenLoopJob;
const { observePauses } = createRequire(__filename)('./pause-observer.cjs') as {
  observePauses(): { events: OpenLoopDone['pauses']; stop(): void };
};
const post = (message: OpenLoopMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

async function run(): Promise<void> {
  const pauses = job.observePauses ? observePauses() : undefined;
  const { origin, pathname, search } = new URL(job.url);
  const pool = new Pool(origin, { connections: 64, pipelining: 1 });
  const warmup = Math.round(job.rate * job.warmupSeconds);
  const total = Math.round(job.rate * (job.warmupSeconds + job.seconds));
  const calls: OpenLoopCalls = {
    at: new Float64Array(total),
    ms: new Float64Array(total),
    status: new Uint16Array(total),
  };
  await openLoop(job.rate, job.warmupSeconds + job.seconds, (i, scheduledAt) => {
    if (i === warmup) post({ type: 'measuring' });
    calls.at[i] = performance.timeOrigin + scheduledAt;
    const headers = job.requestIdPrefix
      ? { ...job.headers, 'x-request-id': `${job.requestIdPrefix}${i}` }
      : job.headers;
    return pool.request({ method: 'GET', path: `${pathname}${search}`, headers }).then(
      async (response) => {
        await response.body.dump();
        calls.ms[i] = performance.now() - scheduledAt;
        calls.status[i] = response.statusCode;
      },
      () => {
        calls.ms[i] = performance.now() - scheduledAt;
      },
    );
  });
  await pool.close();
  pauses?.stop();
  post({ type: 'done', calls, pauses: pauses?.events ?? [] }, [calls.at.buffer, calls.ms.buffer, calls.status.buffer]);
}

void run();
