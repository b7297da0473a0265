import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError, withLock } from '../src/process';

describe('withLock (one infra:up/down/reset at a time per .local)', () => {
  let dir: string;
  let lock: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-lock-'));
    lock = path.join(dir, 'run', 'infra.lock');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when two callers want the lock at once, then the second runs only after the first has finished', async () => {
    const spans: Array<[number, number]> = [];
    const work = async () => {
      const start = performance.now();
      await sleep(150);
      spans.push([start, performance.now()]);
    };
    await Promise.all([withLock(lock, work), withLock(lock, work)]);
    spans.sort((a, b) => a[0] - b[0]);
    expect(spans[1]![0]).toBeGreaterThanOrEqual(spans[0]![1]);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('when the holder died without releasing it, then the lock is taken over', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, String(dead));
    await expect(withLock(lock, async () => 'ran')).resolves.toBe('ran');
  });

  it('when a live process holds it, then the caller waits and gives up with a clear error after its timeout', async () => {
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, '1');
    const started = performance.now();
    const attempt = withLock(lock, async () => 'ran', 500);
    await expect(attempt).rejects.toThrow(InfraError);
    await expect(attempt).rejects.toThrow(/held by pid 1/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(500);
    expect(fs.readFileSync(lock, 'utf8')).toBe('1');
  });

  it('when fn fails, then the lock is released and the error passes through', async () => {
    await expect(withLock(lock, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(fs.existsSync(lock)).toBe(false);
  });
});
