import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { Registry } from 'prom-client';
import { addPeriodicTask, createApp, createPeriodicTask, type PeriodicTask } from '../src/index';
import { metricValue } from './kafka/kafka-fixture';

const logger = pino({ level: 'silent' });

describe('periodic task', () => {
  const tasks: PeriodicTask[] = [];
  afterEach(async () => {
    await Promise.all(tasks.splice(0).map((task) => task.stop(1_000)));
  });

  function task(
    options: Partial<Parameters<typeof createPeriodicTask>[0]> & { run: (s: AbortSignal) => Promise<unknown> },
  ) {
    const created = createPeriodicTask({
      name: 'test',
      intervalMs: 20,
      initialDelayMs: 0,
      jitter: 0,
      logger,
      ...options,
    });
    tasks.push(created);
    return created;
  }

  it('when started, then it runs again after each interval and never two runs at once', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    task({
      async run() {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(15);
        active--;
        runs++;
      },
    }).start();

    await sleep(300);
    expect(runs).toBeGreaterThanOrEqual(4);
    expect(maxActive).toBe(1);
  });

  it('when a run throws, then the failure is counted and logged and the loop keeps going', async () => {
    const registry = new Registry();
    let runs = 0;
    task({
      name: 'flaky',
      registry,
      async run() {
        runs++;
        if (runs === 1) throw new Error('database unavailable');
      },
    }).start();

    await sleep(150);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(await metricValue(registry, 'periodic_task_runs_total', { task: 'flaky', outcome: 'failed' })).toBe(1);
    expect(await metricValue(registry, 'periodic_task_runs_total', { task: 'flaky', outcome: 'ok' })).toBe(runs - 1);
  });

  it('when stopped during a run, then the run sees its signal abort and stop resolves once it has returned', async () => {
    let finished = false;
    let sawAbort = false;
    const running = task({
      intervalMs: 10_000,
      async run(signal) {
        await sleep(5_000, undefined, { signal }).catch(() => (sawAbort = signal.aborted));
        finished = true;
      },
    });
    running.start();
    await sleep(50);
    expect(running.busy).toBe(true);

    const started = Date.now();
    expect(await running.stop()).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(sawAbort).toBe(true);
    expect(finished).toBe(true);
    expect(running.busy).toBe(false);
  });

  it('when a run ignores its signal past the timeout, then stop says so instead of claiming it stopped', async () => {
    let release!: () => void;
    const stubborn = task({ run: () => new Promise<void>((resolve) => (release = resolve)) });
    stubborn.start();
    await sleep(50);

    expect(await stubborn.stop(100)).toBe(false);
    expect(stubborn.busy).toBe(true);
    release();
    expect(await stubborn.stop()).toBe(true);
  });

  it('when triggered, then the next run starts at once instead of after the interval', async () => {
    let runs = 0;
    const slow = task({ intervalMs: 60_000, run: async () => void runs++ });
    slow.start();
    await sleep(50);
    expect(runs).toBe(1);

    slow.trigger();
    await sleep(50);
    expect(runs).toBe(2);
  });

  it('when added to an app, then it starts with the app and is idle once the app has closed', async () => {
    const app = await createApp({ config: { SERVICE_NAME: 'task-test', LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: 1024 } });
    let runs = 0;
    const appTask = addPeriodicTask(app, {
      name: 'app-task',
      intervalMs: 10,
      initialDelayMs: 0,
      run: async () => void runs++,
    });
    await sleep(50);
    expect(runs).toBe(0);

    await app.ready();
    await sleep(100);
    await app.close();
    const afterClose = runs;
    expect(afterClose).toBeGreaterThan(0);
    expect(appTask.busy).toBe(false);
    await sleep(50);
    expect(runs).toBe(afterClose);
  });
});
