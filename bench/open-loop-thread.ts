import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** GET `url` `rate` times a second for `warmupSeconds` + `seconds`, open loop (bench/open-loop.ts). */
export interface OpenLoopJob {
  url: string;
  headers: Record<string, string>;
  rate: number;
  seconds: number;
  /** Seconds at the rate before the measured window, on the same connections; their calls come back too. */
  warmupSeconds: number;
  /** Each call sends `x-request-id: <prefix><its index>`, to find it in the access lines. */
  requestIdPrefix?: string;
  /** Record the worker's own GC pauses and event-loop stalls (bench/pause-observer.cjs). */
  observePauses?: boolean;
}

/** Per call, by index (the warm-up's first): when it was due (ms since the epoch), its latency, its status (0: failed). */
export interface OpenLoopCalls {
  at: Float64Array<ArrayBuffer>;
  ms: Float64Array<ArrayBuffer>;
  status: Uint16Array<ArrayBuffer>;
}

export interface OpenLoopDone {
  type: 'done';
  calls: OpenLoopCalls;
  /** With `observePauses`: [wall-clock start in ms since the epoch, duration in ms, kind] each. */
  pauses: Array<[at: number, ms: number, kind: string]>;
}

export type OpenLoopMessage = { type: 'measuring' } | OpenLoopDone;

/**
 * Runs the job in a worker thread (bench/open-loop-worker.ts, where the reason is) and resolves with every call;
 * `onMeasuring` is called when the measured window starts (e.g. for a CPU snapshot).
 */
export function openLoopThread(job: OpenLoopJob, onMeasuring: () => void = () => undefined): Promise<OpenLoopDone> {
  const worker = new Worker(path.join(__dirname, 'open-loop-worker.ts'), { workerData: job });
  return new Promise<OpenLoopDone>((resolve, reject) => {
    worker.on('message', (message: OpenLoopMessage) => {
      if (message.type === 'measuring') onMeasuring();
      else resolve(message);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the open-loop worker exited with ${code} before it was done`)));
  });
}
