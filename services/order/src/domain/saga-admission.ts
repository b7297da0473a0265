import { OrderBacklogFull } from '../errors';

/**
 * Seconds a shed client is told to wait: longer than a probe interval, so the next try meets a fresh count, and
 * than the kit HTTP client's longest Retry-After it waits out itself (1 s), so the gateway hands the answer to the
 * client at once instead of holding a connection to retry it.
 */
export const SHED_RETRY_AFTER_SECONDS = 2;

export interface SagaAdmission {
  /**
   * Lets a new order in, or throws ORDER_BACKLOG_FULL (503 with Retry-After) while the saga's backlog is at its
   * limit. Called before the order costs anything: no idempotency key, no product lookup, no insert.
   */
  admit(): void;
  /** A fresh count of the orders in the saga (capped by the probe at `limit`). */
  observe(backlog: number): void;
  /** The last count plus the orders this process let in since. */
  readonly backlog: number;
}

/**
 * Admission control for the order saga. An order accepted is a promise to finish the saga; once orders wait for
 * inventory faster than the platform finishes them, every new order only lengthens the queue for all of them, and
 * the database time its insert costs is taken from the consumers that would drain it (goodput collapses instead of
 * levelling off at capacity). So above `limit` orders in flight, new ones are refused at once and cheaply, and the
 * client comes back later; the saga keeps running at full speed on what it has.
 *
 * The count comes from a periodic probe of the database (every replica sees every replica's orders); between two
 * probes this process adds the orders it let in itself, so a burst cannot overshoot the limit by a probe interval's
 * worth. A limit of 0 turns admission control off.
 */
export function createSagaAdmission(limit: number, onShed: () => void = () => {}): SagaAdmission {
  let observed = 0;
  let admittedSinceProbe = 0;
  return {
    admit() {
      if (limit === 0) return;
      if (observed + admittedSinceProbe >= limit) {
        onShed();
        throw OrderBacklogFull(`${limit} or more orders are waiting to be completed; try again shortly`, {
          headers: { 'retry-after': String(SHED_RETRY_AFTER_SECONDS) },
        });
      }
      admittedSinceProbe += 1;
    },
    observe(backlog) {
      observed = backlog;
      admittedSinceProbe = 0;
    },
    get backlog() {
      return observed + admittedSinceProbe;
    },
  };
}
