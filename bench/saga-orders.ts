/**
 * One customer's order as the benchmark sees it through the gateway: POST /api/v1/orders at its scheduled time,
 * then the order's status stream (GET /api/v1/orders/:id/events, Server-Sent Events) until a final status. Latency is
 * counted from the scheduled time to the arrival of the final status event: pushed, so its resolution is that of
 * the gateway's fan-out, not of a polling interval. A stream that fails is opened again; when the caller's signal
 * fires first, the order's status is read once.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'undici';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';

export interface Customer {
  token: string;
  userId: string;
}

export interface TrackedOrder {
  scheduledAt: number;
  /** The POST's answer was not a 201 (or no answer): counted as an HTTP error, nothing followed. */
  httpError?: string;
  /** POST answered, ms after the scheduled time. */
  postMs?: number;
  /** The last status known: a final one, or PENDING when the wait ran out. */
  status?: OrderStatus;
  /** When the final status arrived (performance.now()); absent when it was only read after the wait. */
  finalAt?: number;
  /** The first stream failed or ended without a final status, and the order was streamed again. */
  reconnected?: boolean;
}

const isFinal = (status: OrderStatus | undefined): boolean => status !== undefined && status !== 'PENDING';

function auth(customer: Customer): Record<string, string> {
  return { authorization: `Bearer ${customer.token}` };
}

async function readStatus(gateway: Pool, customer: Customer, orderId: string): Promise<OrderStatus> {
  const response = await gateway.request({ method: 'GET', path: `/api/v1/orders/${orderId}`, headers: auth(customer) });
  const body = (await response.body.json()) as { status?: OrderStatus };
  if (response.statusCode !== 200 || !body.status) throw new Error(`GET order ${orderId}: ${response.statusCode}`);
  return body.status;
}

/** Reads `status` events until a final one; undefined when the stream ends without one. */
async function streamUntilFinal(
  gateway: Pool,
  customer: Customer,
  orderId: string,
  signal: AbortSignal,
): Promise<OrderStatus | undefined> {
  const response = await gateway.request({
    method: 'GET',
    path: `/api/v1/orders/${orderId}/events`,
    headers: { ...auth(customer), accept: 'text/event-stream' },
    signal,
  });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`order events ${orderId}: ${response.statusCode}`);
  }
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += (chunk as Buffer).toString();
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const data = /^data: (.*)$/m.exec(buffer.slice(0, cut))?.[1];
      buffer = buffer.slice(cut + 2);
      const status = data ? (JSON.parse(data) as { status: OrderStatus }).status : undefined;
      // Leaving the loop closes the stream (a CONFIRMED order's stays open for a later cancellation).
      if (isFinal(status)) return status;
    }
  }
  return undefined;
}

/**
 * The stream again and again until it shows a final status, 500 ms apart (as EventSource would, a little sooner):
 * each new stream starts with the current status, so nothing is missed, and a failing gateway is not flooded.
 */
async function streamAgainUntilFinal(
  gateway: Pool,
  customer: Customer,
  orderId: string,
  signal: AbortSignal,
): Promise<OrderStatus | undefined> {
  while (!signal.aborted) {
    await sleep(500, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) break;
    const status = await streamUntilFinal(gateway, customer, orderId, signal).catch(() => undefined);
    if (isFinal(status)) return status;
  }
  return undefined;
}

/** Places one order of `productId` and follows it until final or until `signal` fires. Never throws. */
export async function placeAndFollow(
  gateway: Pool,
  customer: Customer,
  productId: string,
  scheduledAt: number,
  signal: AbortSignal,
): Promise<TrackedOrder> {
  const tracked: TrackedOrder = { scheduledAt };
  let orderId: string;
  try {
    const response = await gateway.request({
      method: 'POST',
      path: '/api/v1/orders',
      headers: { ...auth(customer), 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ lines: [{ productId, quantity: 1 }] }),
    });
    const body = (await response.body.json()) as { id?: string; status?: OrderStatus; code?: string };
    tracked.postMs = performance.now() - scheduledAt;
    if (response.statusCode !== 201 || !body.id) {
      tracked.httpError = body.code ? `${response.statusCode} ${body.code}` : `${response.statusCode}`;
      return tracked;
    }
    orderId = body.id;
    tracked.status = body.status;
  } catch (err) {
    tracked.httpError = (err as Error).message;
    return tracked;
  }
  let status = await streamUntilFinal(gateway, customer, orderId, signal).catch(() => undefined);
  if (!isFinal(status) && !signal.aborted) {
    tracked.reconnected = true;
    status = await streamAgainUntilFinal(gateway, customer, orderId, signal);
  }
  if (isFinal(status)) {
    tracked.finalAt = performance.now();
    tracked.status = status;
    return tracked;
  }
  // The wait ran out: what the order service says now (a final status here is one the stream missed).
  tracked.status = await readStatus(gateway, customer, orderId).catch(() => tracked.status);
  return tracked;
}
