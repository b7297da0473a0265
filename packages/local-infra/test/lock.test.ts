import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError, startDaemon, withLock } from '../src/process';

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

  it('when the lock file names no pid (written by nothing of ours), then it is taken over at once', async () => {
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, '');
    const started = performance.now();
    await expect(withLock(lock, async () => 'ran', 5_000)).resolves.toBe('ran');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('when the lock is held, then it names the holder and no file of the attempt is left beside it', async () => {
    await withLock(lock, async () => {
      expect(fs.readFileSync(lock, 'utf8')).toBe(String(process.pid));
    });
    expect(fs.readdirSync(path.dirname(lock))).toEqual([]);
  });

  it('when fn fails, then the lock is released and the error passes through', async () => {
    await expect(withLock(lock, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(fs.existsSync(lock)).toBe(false);
  });
});

describe('startDaemon', () => {
  it('when the pid file names a live process, then it refuses to start a second copy and keeps the pid file', () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-daemon-'));
    try {
      fs.writeFileSync(path.join(runDir, 'thing.pid'), String(process.pid));
      const spec = { name: 'thing', command: process.execPath, args: ['-e', '0'], cwd: runDir, runDir };
      expect(() => startDaemon(spec)).toThrow(/thing already runs as pid \d+ but does not answer/);
      expect(fs.readFileSync(path.join(runDir, 'thing.pid'), 'utf8')).toBe(String(process.pid));
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });

  it('when the pid file names a live process of another command (a pid reused since), then it starts anyway', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-daemon-'));
    try {
      fs.writeFileSync(path.join(runDir, 'thing.pid'), String(process.pid));
      const spec = { name: 'thing', command: 'sleep', args: ['0.1'], cwd: runDir, runDir };
      const pid = startDaemon(spec);
      expect(pid).not.toBe(process.pid);
      expect(fs.readFileSync(path.join(runDir, 'thing.pid'), 'utf8')).toBe(String(pid));
      await sleep(300);
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });
});
