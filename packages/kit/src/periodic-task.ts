import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { getOrCreate } from './metrics';

/** What a task needs to log; pino and Fastify's logger both fit. */
export interface TaskLogger {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface PeriodicTaskOptions {
  /** Names the task in logs and in the `task` label of its metrics; keep it short and fixed. */
  name: string;
  /** Pause between the end of one run and the start of the next (runs never overlap). */
  intervalMs: number;
  /**
   * One run. It receives a signal that aborts when the task stops: long runs check it between items (or pass it
   * on to what they await) so that stop() is quick. Throwing is fine: the error is logged and counted, and the next
   * run comes after `retryMs`.
   */
  run: (signal: AbortSignal) => Promise<unknown>;
  logger: TaskLogger;
  registry?: Registry;
  /** Delay before the first run; default `intervalMs`. */
  initialDelayMs?: number;
  /** Pause after a failed run; default `intervalMs`. */
  retryMs?: number;
  /**
   * Each pause is stretched or shortened by up to this fraction, at random, so that replicas started together
   * do not hit the database in lockstep. Default 0.1.
   */
  jitter?: number;
}

export interface PeriodicTask {
  /** Schedules the first run. A second call does nothing. */
  start(): void;
  /**
   * Asks for the next run within `delayMs` (default at once), or right after the run in progress. Runs stay
   * sequential. Used to hurry a recovery (e.g. the outbox sweep after a failed publish).
   */
  trigger(delayMs?: number): void;
  /**
   * Aborts the run in progress and waits for it to return. Resolves true once the task is idle for good, or false
   * when the run is still going after `timeoutMs` (it ignored its signal): the caller then knows that work may still
   * be happening, instead of being told that it stopped.
   */
  stop(timeoutMs?: number): Promise<boolean>;
  /** True while a run is in progress. */
  readonly busy: boolean;
}

interface TaskMetrics {
  runs: Counter<'task' | 'outcome'>;
  lastSuccess: Gauge<'task'>;
}

function taskMetrics(registry: Registry): TaskMetrics {
  return {
    runs: getOrCreate(
      registry,
      'periodic_task_runs_total',
      () =>
        new Counter({
          name: 'periodic_task_runs_total',
          help: 'Runs of periodic tasks (sweepers, pruning, outbox recovery), by task and outcome (ok, failed)',
          labelNames: ['task', 'outcome'] as const,
          registers: [registry],
        }),
    ),
    lastSuccess: getOrCreate(
      registry,
      'periodic_task_last_success_timestamp_seconds',
      () =>
        new Gauge({
          name: 'periodic_task_last_success_timestamp_seconds',
          help: 'When each periodic task last finished a run without error (Unix seconds)',
          labelNames: ['task'] as const,
          registers: [registry],
        }),
    ),
  };
}

/**
 * A loop that runs `run` every `intervalMs` until stopped: the one way the kit and the services schedule
 * background work (the outbox's recovery sweep, sweepers, pruning). Runs never overlap, a failed run never ends
 * the loop, and stop() aborts the run in hand and says truthfully whether it ended.
 */
export function createPeriodicTask(options: PeriodicTaskOptions): PeriodicTask {
  const { name, logger } = options;
  const jitter = options.jitter ?? 0.1;
  const metrics = options.registry ? taskMetrics(options.registry) : undefined;
  metrics?.runs.inc({ task: name, outcome: 'ok' }, 0);
  metrics?.runs.inc({ task: name, outcome: 'failed' }, 0);

  const lifetime = new AbortController();
  let loop: Promise<void> | undefined;
  let inRun = false;
  let nextRunAt = Infinity;
  let wake: (() => void) | undefined;

  function spread(ms: number): number {
    return Math.max(0, Math.round(ms * (1 + jitter * (2 * Math.random() - 1))));
  }

  /** Sleeps until nextRunAt; trigger() and stop() cut the sleep short. */
  async function untilNextRun(): Promise<void> {
    const { signal } = lifetime;
    while (!signal.aborted && Date.now() < nextRunAt) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(nextRunAt - Date.now(), 2 ** 31 - 1));
        // The task alone must never keep the process alive.
        timer.unref();
        signal.addEventListener('abort', done, { once: true });
        wake = done;
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        }
      });
    }
  }

  async function runOnce(): Promise<boolean> {
    inRun = true;
    try {
      await options.run(lifetime.signal);
      metrics?.runs.inc({ task: name, outcome: 'ok' });
      metrics?.lastSuccess.set({ task: name }, Date.now() / 1000);
      return true;
    } catch (err) {
      if (lifetime.signal.aborted) {
        logger.debug({ task: name, err }, 'periodic task run ended by stop');
        return true;
      }
      metrics?.runs.inc({ task: name, outcome: 'failed' });
      logger.warn({ task: name, err }, 'periodic task run failed; the next run retries');
      return false;
    } finally {
      inRun = false;
    }
  }

  async function runLoop(): Promise<void> {
    for (;;) {
      await untilNextRun();
      if (lifetime.signal.aborted) return;
      // Set before the run, so a trigger() during it can bring the next one forward.
      nextRunAt = Date.now() + spread(options.intervalMs);
      const ok = await runOnce();
      if (!ok && options.retryMs !== undefined) nextRunAt = Math.min(nextRunAt, Date.now() + spread(options.retryMs));
    }
  }

  return {
    start() {
      if (loop || lifetime.signal.aborted) return;
      nextRunAt = Date.now() + (options.initialDelayMs ?? spread(options.intervalMs));
      loop = runLoop();
    },
    trigger(delayMs = 0) {
      nextRunAt = Math.min(nextRunAt, Date.now() + delayMs);
      wake?.();
    },
    async stop(timeoutMs = Infinity) {
      lifetime.abort();
      if (!loop) return true;
      if (timeoutMs === Infinity) {
        await loop;
        return true;
      }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const ended = await Promise.race([loop.then(() => true as const), timedOut]);
      clearTimeout(timer);
      if (!ended) logger.warn({ task: name, timeoutMs }, 'periodic task still running after stop; giving up waiting');
      return ended;
    },
    get busy() {
      return inRun;
    },
  };
}

export interface AppTaskOptions extends Omit<PeriodicTaskOptions, 'logger' | 'registry'> {
  /** How long app close waits for the run in hand; default 5 s, within the kit's default shutdown budget. */
  stopTimeoutMs?: number;
}

/**
 * A periodic task tied to the app's life: it starts when the app is ready and stops (aborting the run in hand) when
 * the app closes. Hooks run in reverse order of registration on close, so a task added after the infrastructure
 * plugins stops before the connections it uses are closed.
 */
export function addPeriodicTask(app: FastifyInstance, options: AppTaskOptions): PeriodicTask {
  const task = createPeriodicTask({ ...options, logger: app.log, registry: app.metrics });
  app.addHook('onReady', async function startPeriodicTask() {
    task.start();
  });
  app.addHook('onClose', async function stopPeriodicTask() {
    await task.stop(options.stopTimeoutMs ?? 5_000);
  });
  return task;
}
