import type { PassThrough } from 'node:stream';
import { createStatusStream } from '../../src/routes/order-events/event-stream';

describe('order status stream (SSE framing)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Reads what was written so far, synchronously: stream events would wait for the (faked) next tick. */
  function collect(body: PassThrough): () => string {
    let text = '';
    return () => {
      for (let chunk = body.read() as Buffer | null; chunk !== null; chunk = body.read() as Buffer | null) {
        text += chunk.toString();
      }
      return text;
    };
  }

  it('when time passes without changes, then heartbeat comments keep the connection open', () => {
    const onEnd = jest.fn();
    const stream = createStatusStream({ heartbeatMs: 1_000, maxDurationMs: 60_000, onEnd });
    const text = collect(stream.body);
    stream.push({ orderId: 'o1', status: 'PENDING' });
    jest.advanceTimersByTime(2_500);
    expect(text()).toBe(
      'retry: 3000\n\nid: 1\nevent: status\ndata: {"orderId":"o1","status":"PENDING"}\n\n: heartbeat\n\n: heartbeat\n\n',
    );
    stream.end();
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it('when updates repeat or go backwards, then they are dropped; a final status ends the stream once', () => {
    const onEnd = jest.fn();
    const stream = createStatusStream({ heartbeatMs: 1_000, maxDurationMs: 60_000, onEnd });
    const text = collect(stream.body);
    stream.push({ orderId: 'o1', status: 'CONFIRMED' });
    stream.push({ orderId: 'o1', status: 'PENDING' });
    stream.push({ orderId: 'o1', status: 'CONFIRMED' });
    stream.push({ orderId: 'o1', status: 'CANCELLED' });
    stream.push({ orderId: 'o1', status: 'REJECTED' });
    const statuses = [...text().matchAll(/"status":"(\w+)"/g)].map((m) => m[1]);
    expect(statuses).toEqual(['CONFIRMED', 'CANCELLED']);
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it('when the maximum duration passes, then the stream ends (EventSource reconnects and gets the status again)', () => {
    const onEnd = jest.fn();
    const stream = createStatusStream({ heartbeatMs: 10_000, maxDurationMs: 30_000, onEnd });
    stream.push({ orderId: 'o1', status: 'PENDING' });
    jest.advanceTimersByTime(30_000);
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(stream.body.writableEnded).toBe(true);
  });
});
