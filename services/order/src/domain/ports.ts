import type { OutboxEntry } from '@platform/kit/core';
import type { OrderCursor } from './cursor';
import type { Order, OrderLine, OrderStatus } from './order';

/** What the use cases need from the outside world; data-access and clients implement these. */

export interface NewOrder {
  id: string;
  userId: string;
  lines: OrderLine[];
  currency: string;
  totalMinor: number;
  createdAt: Date;
}

export interface StatusChange {
  from: OrderStatus;
  to: OrderStatus;
  set?: Pick<Order, 'rejectionReason' | 'cancelledBy'>;
  /** Written in the same single-document update as the status: both happen or neither does. */
  events: OutboxEntry[];
}

export interface OrderListQuery {
  userId?: string;
  status?: OrderStatus;
  after?: OrderCursor;
  limit: number;
}

export interface OrderRepository {
  /** Inserts the order and its outbox in one write; false when an order with this id already exists. */
  insert(order: NewOrder, events: OutboxEntry[]): Promise<boolean>;
  findById(id: string): Promise<Order | null>;
  /**
   * Applies the change if the order is still in `change.from` (one conditional update, which also appends it to the
   * order's history and its events to the outbox), and returns the order after it. Null when another transition
   * out of that status came first: reading the order again shows where it went.
   */
  changeStatus(id: string, change: StatusChange): Promise<Order | null>;
  /** Newest first. */
  list(query: OrderListQuery): Promise<Order[]>;
  /** PENDING orders placed before `date`, oldest first: the deadline's candidates. */
  findPendingPlacedBefore(date: Date, limit: number): Promise<Order[]>;
  /**
   * PENDING orders counted up to `limit`: the saga's backlog. Orders whose events wait in the outbox for an absent
   * broker (outbox pending, no relay holding it) are left out: the outbox keeps them at no cost to the saga.
   */
  countInSaga(limit: number): Promise<number>;
}

/** The product facts an order snapshots. */
export interface CatalogProduct {
  id: string;
  sku: string;
  priceMinor: number;
  currency: string;
}

/** Looks products up by id; unknown ids are simply absent from the map. */
export type FindProducts = (ids: string[]) => Promise<Map<string, CatalogProduct>>;

export type FinalStatus = Exclude<OrderStatus, 'PENDING'>;

export interface OrderMetrics {
  orderCreated(): void;
  orderFinalised(status: FinalStatus): void;
  /** A PENDING order rejected by the deadline (also counted as finalised REJECTED). */
  orderTimedOut(): void;
  /** A new order refused because the saga's backlog was at its limit. */
  orderShed(): void;
  /** The saga's backlog as the admission control last counted it. */
  sagaBacklog(count: number): void;
}

/** An Idempotency-Key belongs to one user: two users may pick the same key. */
export interface IdempotencyScope {
  userId: string;
  key: string;
}

/** The first answer, replayed as it was to every retry with the same key and body. */
export interface StoredResponse<TBody = unknown> {
  statusCode: number;
  body: TBody;
}

export interface IdempotencyRecord {
  requestHash: string;
  /**
   * Reserved when the key is claimed, so a retry after a crash creates the same order, not a second one; once that
   * order exists, the key's request is done and a retry replays its first answer, rebuilt from the order.
   */
  orderId: string;
  /** Who holds the key while no order exists under it. */
  leaseOwner: string;
  /** The answer as keys completed before 2026-12 stored it (no longer written). */
  response?: StoredResponse;
}

export interface IdempotencyStore {
  /** Creates the key in progress, leased to the caller; null when the key exists already (the unique index decides). */
  claim(scope: IdempotencyScope, requestHash: string, leaseMs: number): Promise<IdempotencyRecord | null>;
  find(scope: IdempotencyScope): Promise<IdempotencyRecord | null>;
  /** Leases a key still in progress whose lease expired (its holder died); null otherwise. */
  takeOver(scope: IdempotencyScope, leaseMs: number): Promise<IdempotencyRecord | null>;
  /** Forgets a key still in progress and held by `leaseOwner`, so the client can retry with it. */
  release(scope: IdempotencyScope, leaseOwner: string): Promise<void>;
  /** Deletes keys created before `date`; returns how many. */
  purgeCreatedBefore(date: Date): Promise<number>;
}
