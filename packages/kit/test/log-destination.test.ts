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

  it("when a turn's lines are logged, then they are written after the turn, all of them, in order", async () => {
    const log = pino({ base: null }, asyncLogDestination(fd));

    for (let i = 0; i < 500; i++) log.info({ i, text: 'é☕'.repeat(i % 7) }, 'line');
    expect(written()).toBe('');

    const text = await waitFor(() => written().split('\n').length === 501 && written(), { what: 'the 500 lines' });
    expect(numbers(text)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('when flushSync is called, then every line logged so far is written before it returns', () => {
    const destination = asyncLogDestination(fd);
    const log = pino({ base: null }, destination);

    for (let i = 0; i < 3; i++) log.info({ i }, 'line');
    destination.flushSync();

    expect(numbers(written())).toEqual([0, 1, 2]);
  });
});
