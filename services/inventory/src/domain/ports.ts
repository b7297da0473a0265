import type { RejectedLineV1, RejectionReason } from '@platform/events';
import type { OutboxEntry } from '@platform/kit/core';

/** What the use cases need from the outside world; data-access implements it, tests may fake it. */

export interface StockRecord {
  sku: string;
  productId: string;
  available: number;
  reserved: number;
  /** The product was deleted: nothing more is reserved or restocked for this sku. */
  discontinued: boolean;
}

export interface ReservationLine {
  sku: string;
  quantity: number;
}

/**
 * PENDING: lines are being held (by whoever holds the lease). RESERVED: every line is held, waiting for the order's
 * outcome (order.confirmed, or order.rejected / order.cancelled, which release it). CONFIRMED: final, never released
 * but by a cancel; its units stay counted in the sku's `reserved`, but its holds leave the stock record (committed),
 * so a record carries holds of orders in flight only. REJECTED: nothing is held. RELEASED: given back after
 * order.cancelled or order.rejected.
 * Nothing expires by time here: the order service's deadline guarantees every order an outcome, and its event.
 */
export type ReservationStatus = 'PENDING' | 'RESERVED' | 'REJECTED' | 'RELEASED' | 'CONFIRMED';
/** `cancelled`: order.cancelled; `rejected`: order.rejected (e.g. the order timed out waiting for us). */
export type ReleaseCause = 'cancelled' | 'rejected';

export interface Reservation {
  orderId: string;
  /** One line per sku, fixed when the reservation is first recorded: every retry holds exactly these. */
  lines: ReservationLine[];
  status: ReservationStatus;
  /** order.cancelled arrived while the lines were being held; the lease holder releases instead of deciding. */
  cancelRequested: boolean;
  /** RELEASED, but the holds may not all be given back yet (a crash in between); whoever sees it finishes. */
  releasePending: boolean;
  /** The status a RELEASED reservation left: from CONFIRMED, its units are given back without holds. */
  releasedFrom: ReservationStatus | null;
  /** CONFIRMED, but its holds may not all have left the stock records yet; whoever sees it finishes. */
  commitPending: boolean;
  leaseOwner: string | null;
}

export type Decision =
  | { status: 'RESERVED'; outbox: OutboxEntry }
  | { status: 'REJECTED'; rejectedLines: RejectedLineV1[]; outbox: OutboxEntry };

/** Which reservation a release may move to RELEASED; checked in the same conditional update. */
export interface ReleaseGuard {
  from: 'PENDING' | 'RESERVED' | 'CONFIRMED';
  leaseOwner?: string;
}

export interface StockRepository {
  /**
   * Idempotent: an existing record for the sku is left as it is (unless discontinued, see data-access); a product
   * already discontinued (its product.deleted came first) stays discontinued.
   */
  createForProduct(product: { sku: string; productId: string }): Promise<void>;
  /** Leaves a tombstone even when the product is not known yet, so its late product.created is ignored. */
  discontinue(product: { sku: string; productId: string }): Promise<void>;
  find(sku: string): Promise<StockRecord | null>;
  /** null: unknown or discontinued sku. */
  restock(sku: string, quantity: number): Promise<StockRecord | null>;
  /** null: unknown sku, or the change would take `available` below zero. */
  adjust(sku: string, delta: number): Promise<StockRecord | null>;
  /** Holds `quantity` for the order unless it already holds this sku or too little is available. */
  reserve(sku: string, orderId: string, quantity: number): Promise<boolean>;
  hasHold(sku: string, orderId: string): Promise<boolean>;
  /** Gives back the order's hold on this sku, if it still has one. */
  release(sku: string, orderId: string, quantity: number): Promise<boolean>;
  /** A confirmed order's hold leaves the record; its units stay in `reserved`. Idempotent. */
  commit(sku: string, orderId: string, quantity: number): Promise<boolean>;
  /**
   * Gives back the units of a confirmed order (committed or still held), once: the record remembers the order
   * among its `returns` until they are pruned.
   */
  giveBackCommitted(sku: string, orderId: string, quantity: number): Promise<boolean>;
  /** Forgets returns recorded before `before` (no release of theirs can still be running); returns how many. */
  pruneReturns(before: Date): Promise<number>;
}

export interface ReservationRepository {
  find(orderId: string): Promise<Reservation | null>;
  /**
   * Takes the lease of the order's PENDING reservation if nobody holds it (or the holder's lease ran out), recording
   * the reservation with these lines first when the order is new: one write. Null when the reservation is leased to
   * another delivery or no longer PENDING.
   */
  claim(
    orderId: string,
    lines: ReservationLine[],
    lease: { owner: string; now: Date; until: Date },
  ): Promise<Reservation | null>;
  dropLease(orderId: string, owner: string): Promise<void>;
  /** PENDING -> RESERVED | REJECTED with its event, only by the lease owner and unless a cancel came in. */
  decide(orderId: string, owner: string, decision: Decision): Promise<boolean>;
  /** Flags a PENDING reservation as cancelled; false if it is no longer PENDING. */
  requestCancel(orderId: string): Promise<boolean>;
  release(orderId: string, guard: ReleaseGuard, cause: ReleaseCause): Promise<boolean>;
  markSettled(orderId: string): Promise<void>;
  /** RESERVED -> CONFIRMED, flagged commitPending until markCommitted; the reservation confirmed, else null. */
  confirm(orderId: string): Promise<Reservation | null>;
  markCommitted(orderId: string): Promise<void>;
  /** Records the end of an order not seen yet, so its late order.created holds nothing; false if it exists. */
  insertCancelled(orderId: string, cause: ReleaseCause): Promise<boolean>;
  /** Releases and commits a crash interrupted (releasePending or commitPending). */
  findUnsettled(limit: number): Promise<Reservation[]>;
}

export interface InventoryMetrics {
  reservationDecided(outcome: 'reserved' | 'rejected'): void;
  reservationLineFailed(reason: RejectionReason): void;
  reservationReleased(cause: ReleaseCause): void;
}

export interface Log {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface InventoryDeps {
  stock: StockRepository;
  reservations: ReservationRepository;
  metrics: InventoryMetrics;
  log: Log;
  now(): Date;
}
