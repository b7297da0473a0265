import { eventCatalogue, EventTypes, type OrderCreatedV1, type RejectedLineV1 } from '@platform/events';
import { eventEntry } from '@platform/kit/core';
import { ReservationBusy } from '../errors';
import { holdLines, releaseLines } from './holds';
import { claimLease } from './lease';
import { aggregateLines } from './lines';
import type { Decision, InventoryDeps, Reservation, ReservationLine } from './ports';
import { releaseReservation, settleRelease } from './release';

/**
 * order.created: hold every line or none, then record the outcome and its event in one update. Safe to repeat
 * and to crash anywhere: holds are keyed by order, the reservation's status changes are conditional, and a
 * redelivery picks up where the crash left off (see README "Crash safety").
 */
export async function reserveOrder(order: OrderCreatedV1, deps: InventoryDeps): Promise<void> {
  const { orderId } = order;
  const lease = await claimLease(orderId, aggregateLines(order.lines), deps);
  if (!lease) return finishDecided(orderId, deps);
  const { owner, reservation: claimed } = lease;
  try {
    if (claimed.cancelRequested) {
      await releaseReservation(claimed, { from: 'PENDING', leaseOwner: owner }, 'cancelled', deps);
      return;
    }
    await holdAndDecide(claimed, owner, deps);
  } catch (err) {
    // Let the kit's retry of this delivery take the lease again at once instead of waiting for it to run out.
    await deps.reservations.dropLease(orderId, owner).catch(() => undefined);
    throw err;
  }
}

async function holdAndDecide(reservation: Reservation, owner: string, deps: InventoryDeps): Promise<void> {
  const { orderId, lines } = reservation;
  const { held, failures } = await holdLines(orderId, lines, deps.stock);
  // Compensate before deciding: the rejection goes out only once nothing of the order is held any more.
  if (failures.length > 0) await releaseLines(orderId, held, deps.stock);
  const decision = failures.length === 0 ? reserved(orderId, lines) : rejected(orderId, failures);
  if (await deps.reservations.decide(orderId, owner, decision)) {
    recordDecision(decision, failures, deps);
    deps.log.info({ orderId, status: decision.status, failures }, 'reservation decided');
    return;
  }
  await afterLostDecision(orderId, owner, deps);
}

/** Somebody else moved the reservation on: a cancel came in, or our lease ran out and another delivery took over. */
async function afterLostDecision(orderId: string, owner: string, deps: InventoryDeps): Promise<void> {
  const current = await mustFind(orderId, deps);
  if (current.status === 'PENDING' && current.leaseOwner === owner && current.cancelRequested) {
    await releaseReservation(current, { from: 'PENDING', leaseOwner: owner }, 'cancelled', deps);
  } else if (current.status === 'PENDING') {
    throw ReservationBusy(`order ${orderId} is being reserved by another delivery`);
  } else if (current.status === 'REJECTED' || current.status === 'RELEASED') {
    // Whatever we held after that decision must not outlive it.
    await settleRelease(current, deps);
  }
  // RESERVED or CONFIRMED: the other delivery holds every line, and its holds are the very ones we made.
}

/** No lease: either the outcome is decided (a redelivery) or another delivery is busy with it right now. */
async function finishDecided(orderId: string, deps: InventoryDeps): Promise<void> {
  const current = await mustFind(orderId, deps);
  if (current.status === 'PENDING') throw ReservationBusy(`order ${orderId} is being reserved by another delivery`);
  if (current.releasePending) await settleRelease(current, deps);
}

function reserved(orderId: string, lines: ReservationLine[]): Decision {
  const outbox = eventEntry(eventCatalogue, EventTypes.InventoryReserved, orderId, { orderId, lines });
  return { status: 'RESERVED', outbox };
}

function rejected(orderId: string, failures: RejectedLineV1[]): Decision {
  const outbox = eventEntry(eventCatalogue, EventTypes.InventoryRejected, orderId, { orderId, lines: failures });
  return { status: 'REJECTED', rejectedLines: failures, outbox };
}

function recordDecision(decision: Decision, failures: RejectedLineV1[], deps: InventoryDeps): void {
  deps.metrics.reservationDecided(decision.status === 'RESERVED' ? 'reserved' : 'rejected');
  for (const failure of failures) deps.metrics.reservationLineFailed(failure.reason);
}

async function mustFind(orderId: string, deps: InventoryDeps): Promise<Reservation> {
  const current = await deps.reservations.find(orderId);
  // claimLease recorded it first and reservations are never deleted: a missing one is a bug, not a state.
  if (!current) throw new Error(`reservation of order ${orderId} disappeared`);
  return current;
}
