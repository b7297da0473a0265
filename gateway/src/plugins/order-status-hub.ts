import fp from 'fastify-plugin';
import { createRedisClient } from '@platform/kit';
import type { FastifyInstance } from 'fastify';
import { isOrderStatus, orderStatusChannel, type OrderStatusUpdate } from '../domain/order-status';

/** Resyncs after a reconnect are spread over this long. */
const RESYNC_SPREAD_MS = 1_000;

export interface StatusListener {
  update(update: OrderStatusUpdate): void;
  /**
   * The subscriber connection dropped and is subscribed again: whatever was published meanwhile is gone (Redis
   * pub/sub keeps nothing), so read the current status again.
   */
  resync(): void;
}

export interface OrderStatusHub {
  /** Resolves once Redis confirmed the subscription, so no update published after that is missed. */
  subscribe(orderId: string, listener: StatusListener): Promise<() => void>;
  publish(update: OrderStatusUpdate): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    orderStatus: OrderStatusHub;
  }
}

function parseUpdate(message: string): OrderStatusUpdate | undefined {
  try {
    const update = JSON.parse(message) as Partial<OrderStatusUpdate>;
    return typeof update.orderId === 'string' && isOrderStatus(update.status)
      ? (update as OrderStatusUpdate)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Order status changes on Redis pub/sub, `order-status:<orderId>`. A connection in subscriber mode can do nothing
 * else, so each replica has one dedicated subscriber shared by all of its SSE streams: a channel is subscribed
 * while at least one local stream watches that order. ioredis re-subscribes by itself after a reconnect; what was
 * published while the connection was down is lost, so once the channels are confirmed again every listener is told
 * to resync (read the current status), and no stream waits for a change it missed.
 */
async function orderStatusHubPlugin(app: FastifyInstance, options: { redisUrl: string }): Promise<void> {
  const subscriber = createRedisClient({ url: options.redisUrl });
  subscriber.on('error', function logSubscriberError(err) {
    app.log.warn({ err }, 'redis subscriber connection error');
  });
  await subscriber.connect();
  const listeners = new Map<string, Set<StatusListener>>();

  subscriber.on('message', function dispatchUpdate(channel: string, message: string) {
    const update = parseUpdate(message);
    if (!update) return void app.log.warn({ channel }, 'ignored malformed order status message');
    for (const listener of listeners.get(channel) ?? []) listener.update(update);
  });
  // Registered after the first connect: each later `ready` is a reconnect.
  subscriber.on('ready', function resyncAfterReconnect() {
    const channels = [...listeners.keys()];
    if (channels.length === 0) return;
    // ioredis sends its own SUBSCRIBE right after `ready`; this one's answer comes after those, so once it is in,
    // every channel is live again and a status read now cannot miss a later change.
    subscriber.subscribe(...channels).then(
      function resyncListeners() {
        app.log.info(
          { channels: channels.length },
          'order status subscriber reconnected; streams read the status again',
        );
        // Spread over a second: a replica holding thousands of streams must not send the order service as many
        // reads at the same instant.
        for (const channel of channels) {
          for (const listener of listeners.get(channel) ?? []) {
            setTimeout(() => listener.resync(), Math.random() * RESYNC_SPREAD_MS).unref();
          }
        }
      },
      (err: unknown) => app.log.warn({ err }, 'order status subscriber could not subscribe again after a reconnect'),
    );
  });

  async function subscribe(orderId: string, listener: StatusListener): Promise<() => void> {
    const channel = orderStatusChannel(orderId);
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    set.add(listener);
    await subscriber.subscribe(channel);
    return function unsubscribe() {
      set.delete(listener);
      if (set.size > 0 || listeners.get(channel) !== set) return;
      listeners.delete(channel);
      subscriber.unsubscribe(channel).catch((err: unknown) => app.log.warn({ err, channel }, 'unsubscribe failed'));
    };
  }

  async function publish(update: OrderStatusUpdate): Promise<void> {
    await app.redis.publish(orderStatusChannel(update.orderId), JSON.stringify(update));
  }

  app.decorate<OrderStatusHub>('orderStatus', { subscribe, publish });
  app.addHook('onClose', async function closeSubscriber() {
    await subscriber.quit().catch(() => subscriber.disconnect());
  });
}

export const orderStatusHub = fp(orderStatusHubPlugin, {
  name: 'gateway-order-status-hub',
  fastify: '5.x',
  dependencies: ['kit-redis'],
});
