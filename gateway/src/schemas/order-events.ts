import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { problems } from '@platform/kit';

export const OrderEventsParams = Type.Object(
  { id: Type.String({ pattern: '^[0-9a-f]{24}$', description: 'Order id' }) },
  { additionalProperties: false },
);

/** The `data` of each `status` event (documentation: the stream itself is text/event-stream). */
export const OrderStatusEvent = Type.Object(
  {
    orderId: Type.String(),
    status: Type.Union([
      Type.Literal('PENDING'),
      Type.Literal('CONFIRMED'),
      Type.Literal('REJECTED'),
      Type.Literal('CANCELLED'),
    ]),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** On the wire a text stream; in the handler the Readable that Fastify pipes out. */
const EventStream = Type.Unsafe<Readable>(
  Type.String({ description: 'event: status, data: OrderStatusEvent as JSON' }),
);

export const orderEventsSchema = {
  tags: ['orders'],
  summary: 'Live status of one of your orders (Server-Sent Events)',
  description:
    'A `text/event-stream`: first a `status` event with the current status, then one per change, whose `data` is an ' +
    'OrderStatusEvent as JSON. Comment lines (`: heartbeat`) keep it open. The stream ends after REJECTED or ' +
    'CANCELLED; after CONFIRMED it stays open, because a confirmed order can still be cancelled. A user may hold ' +
    'a few streams open at once (429 TOO_MANY_STREAMS beyond).',
  security: [{ bearerAuth: [] }],
  params: OrderEventsParams,
  response: {
    200: {
      description: 'text/event-stream of status events',
      content: { 'text/event-stream': { schema: EventStream } },
    },
    ...problems(400, 401, 404, 429, 503, 504),
  },
};
