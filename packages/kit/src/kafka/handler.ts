import type { Logger } from 'pino';

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
