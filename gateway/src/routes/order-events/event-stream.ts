import { PassThrough } from 'node:stream';
import { isFinal, isProgress, type OrderStatusUpdate } from '../../domain/order-status';
import type { OrderStatusHub, StatusListener } from '../../plugins/order-status-hub';

export interface StatusStreamOptions {
  heartbeatMs: number;
  maxDurationMs: number;
  /** Called once, whichever way the stream ends. */
  onEnd(): void;
}

export interface StatusStream {
  body: PassThrough;
  /** Writes the update if it moves the order forward; ends the stream after a final status. */
  push(update: OrderStatusUpdate): void;
  end(): void;
}

/**
 * The SSE wire format for order status: `status` events with a JSON `data` line, comment-line heartbeats, and a
 * `retry` hint for EventSource's reconnect delay. The first update pushed is shown whatever it is (the current
 * status); after that only progress is, so replays and late events never move a client's view backwards.
 */
export function createStatusStream(options: StatusStreamOptions): StatusStream {
  const body = new PassThrough();
  let shown: OrderStatusUpdate['status'] | undefined;
  let sequence = 0;
  let ended = false;

  const heartbeat = setInterval(function writeHeartbeat() {
    body.write(': heartbeat\n\n');
  }, options.heartbeatMs);
  // Long-lived streams are recycled: EventSource reconnects and reads the current status again.
  const lifetime = setTimeout(end, options.maxDurationMs);

  function end(): void {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    clearTimeout(lifetime);
    body.end();
    options.onEnd();
  }

  function push(update: OrderStatusUpdate): void {
    if (ended || (shown !== undefined && !isProgress(shown, update.status))) return;
    shown = update.status;
    sequence += 1;
    body.write(`id: ${sequence}\nevent: status\ndata: ${JSON.stringify(update)}\n\n`);
    if (isFinal(update.status)) end();
  }

  body.write('retry: 3000\n\n');
  return { body, push, end };
}

export interface BufferedSubscription {
  /**
   * Delivers what arrived so far, in order, then every later update as it comes; a resync asked for before this
   * call is passed on after the held updates.
   */
  forwardTo(listener: StatusListener): void;
  release(): void;
}

/**
 * Subscribes before the current status is read, holding updates until a stream is there to take them: a change
 * that lands between the subscription and the read is neither lost nor shown before the status it follows.
 */
export async function bufferedSubscription(hub: OrderStatusHub, orderId: string): Promise<BufferedSubscription> {
  const held: OrderStatusUpdate[] = [];
  let resyncAsked = false;
  let target: StatusListener = {
    update: (update) => void held.push(update),
    resync: () => void (resyncAsked = true),
  };
  const release = await hub.subscribe(orderId, {
    update: (update) => target.update(update),
    resync: () => target.resync(),
  });
  return {
    forwardTo(listener) {
      held.splice(0).forEach(listener.update);
      target = listener;
      if (resyncAsked) listener.resync();
    },
    release,
  };
}
