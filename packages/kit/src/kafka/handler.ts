import type Joi from 'joi';
import type { Logger } from 'pino';
import type { EventEnvelope } from './envelope';

/** Where the event came from and how to keep the group membership alive, for the handler. */
export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** Decoded to strings; includes the producer's own headers (correlation id, trace context). */
  headers: Record<string, string>;
  /** 1 on first delivery, 2 on the first retry, ... */
  attempt: number;
  groupId: string;
  /** Bound to topic, partition, offset, event id and type. */
  logger: Logger;
  /** Call during long work (over sessionTimeout / 3) so the group does not assume we died. */
  heartbeat(): Promise<void>;
}

/**
 * One topic's handler. `schema` validates the payload (the kit adds the envelope around it); `handle` receives
 * the validated event. It must be idempotent (see processed-events.ts) and should throw to ask for a retry.
 */
export interface TopicHandler<TPayload = unknown> {
  schema: Joi.Schema<TPayload>;
  // A property, not a method: methods are checked bivariantly, which would let a handler expect another payload.
  handle: (event: EventEnvelope<TPayload>, context: MessageContext) => Promise<void>;
}

/** Topic name -> handler; the payload type of each handler is inferred from its schema. */
export type TopicHandlers<Topics extends Record<string, unknown>> = {
  [Topic in keyof Topics]: TopicHandler<Topics[Topic]>;
};
