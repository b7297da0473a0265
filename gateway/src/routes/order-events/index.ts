import { getOrCreate } from '@platform/kit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { fetchOrderStatus } from '../../clients/order-lookup';
import { orderEventsSchema } from '../../schemas/order-events';
import { TooManyStreams } from '../../errors';
import { API_PREFIX } from '../public-routes';
import { bufferedSubscription, createStatusStream, type StatusStream } from './event-stream';

export interface OrderEventsOptions {
  heartbeatMs: number;
  maxDurationMs: number;
  /** Streams one user may hold open on this replica; each holds a connection and a subscription. */
  maxStreamsPerUser: number;
}

/**
 * GET /api/v1/orders/:id/events: the order's status as Server-Sent Events. Subscribes to the order's Redis channel
 * BEFORE reading the current status, so a change landing in between is not lost (at worst it repeats, and the
 * stream drops repeats). Any replica can serve any client: the updates reach all of them through Redis.
 */
export default async function orderEventsRoutes(app: FastifyInstance, options: OrderEventsOptions): Promise<void> {
  const open = new Set<StatusStream>();
  const perUser = new Map<string, number>();

  /** Counts the stream against its user until the exchange ends, however it ends; refuses one too many. */
  function claimSlot(userId: string): () => void {
    const held = perUser.get(userId) ?? 0;
    if (held >= options.maxStreamsPerUser) {
      throw TooManyStreams(`at most ${options.maxStreamsPerUser} open streams per user`, {
        headers: { 'retry-after': '5' },
      });
    }
    perUser.set(userId, held + 1);
    let released = false;
    return function releaseSlot() {
      if (released) return;
      released = true;
      const left = (perUser.get(userId) ?? 1) - 1;
      if (left > 0) perUser.set(userId, left);
      else perUser.delete(userId);
    };
  }
  const streams = getOrCreate(
    app.metrics,
    'gateway_sse_streams',
    () => new Gauge({ name: 'gateway_sse_streams', help: 'Open order status streams', registers: [app.metrics] }),
  );

  function openStream(): StatusStream {
    const stream = createStatusStream({
      ...options,
      onEnd: function forgetStream() {
        open.delete(stream);
        streams.dec();
      },
    });
    open.add(stream);
    streams.inc();
    return stream;
  }

  // Open streams would hold server.close() until the shutdown timeout; clients reconnect to another replica.
  app.addHook('preClose', async function endOpenStreams() {
    for (const stream of open) stream.end();
  });

  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      `${API_PREFIX}/orders/:id/events`,
      { schema: orderEventsSchema, onRequest: app.refuseKnownFloods, preHandler: app.guardEdge },
      async function streamOrderStatus(request, reply) {
        const { id } = request.params;
        reply.raw.once('close', claimSlot(request.principal!.userId));
        const updates = await bufferedSubscription(app.orderStatus, id);
        // Whatever ends the exchange (client gone, stream finished, lookup failed) releases the subscription.
        reply.raw.once('close', updates.release);
        const current = await fetchOrderStatus(app.upstreams.order, id, request);

        const stream = openStream();
        reply.raw.once('close', stream.end);
        // May end the stream at once (a final status); what was written is still sent, then the response ends.
        stream.push(current);
        updates.forwardTo({
          update: stream.push,
          // Redis dropped the subscription for a while: what changed meanwhile comes from the order service. If
          // that read fails (the token expired, the service is away), the stream may be stale: it ends, and the
          // client reconnects and reads the status afresh (or learns that its token must be refreshed).
          resync: function readStatusAgain() {
            fetchOrderStatus(app.upstreams.order, id, request).then(stream.push, (err: unknown) => {
              request.log.warn({ err, orderId: id }, 'could not read the order status again after a reconnect');
              stream.end();
            });
          },
        });
        request.log.info({ orderId: id, status: current.status }, 'order status stream opened');
        return reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache, no-transform')
          .header('x-accel-buffering', 'no')
          .send(stream.body);
      },
    );
}
