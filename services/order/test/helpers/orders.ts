import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { Types } from 'mongoose';
import { waitFor } from '@platform/test-kit';
import type { OrderView } from '../../src/domain/order-view';
import type { TestApp } from './app';

export const newIdempotencyKey = (): string => randomUUID();

export interface PlaceOrderBody {
  lines: Array<{ productId: string; quantity: number }>;
  currency?: string;
}

/** POST /orders as `headers` (authorization), with a fresh Idempotency-Key unless one is given. */
export function postOrder(
  { app }: TestApp,
  headers: Record<string, string>,
  body: unknown,
  idempotencyKey: string = newIdempotencyKey(),
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/orders',
    headers: { ...headers, 'idempotency-key': idempotencyKey },
    payload: body as PlaceOrderBody,
  });
}

/** Places an order that must succeed, and returns it. */
export async function placeOrderOk(
  testApp: TestApp,
  headers: Record<string, string>,
  body: PlaceOrderBody,
): Promise<OrderView> {
  const response = await postOrder(testApp, headers, body);
  if (response.statusCode !== 201) throw new Error(`expected 201, got ${response.statusCode}: ${response.body}`);
  return response.json<OrderView>();
}

/**
 * Waits until the relay has published the order's events and let go of the document. Tests that change an order
 * right after placing it wait for this first: on FerretDB an update is a read-then-write without isolation
 * (FerretDB/FerretDB#3040), so a relay write racing the change could overwrite it. In production inventory only
 * answers after order.created was relayed, which gives the same order of events.
 */
export async function waitUntilRelayed({ app }: TestApp, orderId: string): Promise<void> {
  await waitFor(
    async () =>
      (await app.mongo.collection('orders').countDocuments({
        _id: new Types.ObjectId(orderId),
        outboxPending: { $exists: false },
      })) === 1,
    { what: `order ${orderId} to be relayed` },
  );
}
