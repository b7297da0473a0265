import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { uniqueName, waitFor } from '@platform/test-kit';
import { asyncLogDestination } from '../src/log-destination';

describe('the log destination', () => {
  let file: string;
  let fd: number;

  beforeEach(() => {
    file = path.join(os.tmpdir(), `${uniqueName('log-destination')}.log`);
    fd = fs.openSync(file, 'w');
  });
  afterEach(() => {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  });

  const written = () => fs.readFileSync(file, 'utf8');
  const numbers = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { i: number }).i);

  it('when lines are logged, then they are written together a moment later, all of them, in order', async () => {
    const log = pino({ base: null }, asyncLogDestination(fd));

    for (let i = 0; i < 500; i++) log.info({ i, text: 'é☕'.repeat(i % 7) }, 'line');
    await new Promise((resolve) => setImmediate(resolve));
    expect(written()).toBe('');

    const text = await waitFor(() => written().split('\n').length === 501 && written(), {
      what: 'the 500 lines',
      timeoutMs: 1_000,
    });
    expect(numbers(text)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('when 64 KB of lines wait, then they are written without waiting for their time', async () => {
    const destination = asyncLogDestination(fd, { flushAfterMs: 3_600_000 });
    const log = pino({ base: null }, destination);

    for (let i = 0; i < 100; i++) log.info({ i, text: 'x'.repeat(1_000) }, 'line');

    const text = await waitFor(() => written().split('\n').length > 60 && written(), { what: 'the first 64 KB' });
    const first = numbers(text);
    expect(first.length).toBeLessThan(100);
    expect(first).toEqual(Array.from({ length: first.length }, (_, i) => i));
    destination.flushSync();
  });

  it('when flushSync is called, then every line logged so far is written before it returns', () => {
    const destination = asyncLogDestination(fd);
    const log = pino({ base: null }, destination);

    for (let i = 0; i < 3; i++) log.info({ i }, 'line');
    destination.flushSync();

    expect(numbers(written())).toEqual([0, 1, 2]);
  });
});
