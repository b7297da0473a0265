import type { Connection, QueryFilter } from 'mongoose';
import type { OutboxRelay } from '@platform/kit';
import type { Reservation, ReservationRepository } from '../domain/ports';
import { isDuplicateKeyError } from '@platform/kit/mongoose';
import { reservationModel, type ReservationDocument } from './reservation-model';

const NO_LEASE = { leaseOwner: '', leaseUntil: '' } as const;

/** `relay` publishes the inventory.* event a decision leaves in the reservation's outbox, right after the write. */
export function createReservationRepository(connection: Connection, relay: OutboxRelay): ReservationRepository {
  const Reservations = reservationModel(connection);

  async function insertIfAbsent(orderId: string, fields: Partial<ReservationDocument>): Promise<boolean> {
    try {
      // No automatic timestamps: finding the reservation already there must not write to it at all.
      const now = new Date();
      const { upsertedCount } = await Reservations.updateOne(
        { orderId },
        { $setOnInsert: { ...fields, createdAt: now, updatedAt: now } },
        { upsert: true, timestamps: false },
      );
      return upsertedCount === 1;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async function changed(orderId: string, filter: QueryFilter<ReservationDocument>, update: object): Promise<boolean> {
    const { modifiedCount } = await Reservations.updateOne({ ...filter, orderId }, update);
    return modifiedCount === 1;
  }

  return {
    async find(orderId) {
      return toReservation(await Reservations.findOne({ orderId }).lean<ReservationDocument>());
    },
    async claim(orderId, lines, { owner, now, until }) {
      try {
        // An upsert: a new order's reservation is inserted already leased (orderId and status from the filter).
        // One that exists but does not match (leased, or decided) makes the insert collide on the unique orderId.
        const claimed = await Reservations.findOneAndUpdate(
          { orderId, status: 'PENDING', $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lt: now } }] },
          {
            $set: { leaseOwner: owner, leaseUntil: until },
            $setOnInsert: { lines, cancelRequested: false, releasePending: false, createdAt: now, updatedAt: now },
          },
          { upsert: true, returnDocument: 'after', timestamps: false },
        ).lean<ReservationDocument>();
        return toReservation(claimed);
      } catch (err) {
        if (isDuplicateKeyError(err)) return null;
        throw err;
      }
    },
    async dropLease(orderId, owner) {
      await changed(orderId, { leaseOwner: owner }, { $unset: NO_LEASE });
    },
    async decide(orderId, owner, decision) {
      const { outbox, ...outcome } = decision;
      const stamp = relay.stamp();
      const doc = await Reservations.findOneAndUpdate(
        { orderId, status: 'PENDING', leaseOwner: owner, cancelRequested: { $ne: true } },
        { $set: { ...outcome, ...stamp.fields }, $unset: NO_LEASE, $push: { outbox: { $each: [outbox] } } },
        { returnDocument: 'after' },
      ).lean<ReservationDocument & { _id: unknown }>();
      if (!doc) return false;
      relay.publishAfterWrite(doc._id, stamp, doc);
      return true;
    },
    requestCancel(orderId) {
      return changed(orderId, { status: 'PENDING' }, { $set: { cancelRequested: true } });
    },
    release(orderId, { from, leaseOwner }, cause) {
      const filter: QueryFilter<ReservationDocument> = { status: from };
      if (leaseOwner !== undefined) filter.leaseOwner = leaseOwner;
      return changed(orderId, filter, {
        $set: { status: 'RELEASED', releaseCause: cause, releasedFrom: from, releasePending: true },
        $unset: NO_LEASE,
      });
    },
    async markSettled(orderId) {
      await changed(orderId, { releasePending: true }, { $set: { releasePending: false } });
    },
    async confirm(orderId) {
      const doc = await Reservations.findOneAndUpdate(
        { orderId, status: 'RESERVED' },
        { $set: { status: 'CONFIRMED', commitPending: true } },
        { returnDocument: 'after' },
      ).lean<ReservationDocument>();
      return toReservation(doc);
    },
    async markCommitted(orderId) {
      await changed(orderId, { commitPending: true }, { $set: { commitPending: false } });
    },
    insertCancelled(orderId, cause) {
      return insertIfAbsent(orderId, {
        lines: [],
        status: 'RELEASED',
        releaseCause: cause,
        cancelRequested: true,
        releasePending: false,
      });
    },
    async findUnsettled(limit) {
      // Two equality queries on indexed flags rather than one $or, which FerretDB would answer by a scan.
      const releases = await Reservations.find({ releasePending: true }).limit(limit).lean<ReservationDocument[]>();
      const commits = await Reservations.find({ commitPending: true })
        .limit(Math.max(0, limit - releases.length))
        .lean<ReservationDocument[]>();
      return [...releases, ...commits].map(toReservation).filter((r): r is Reservation => r !== null);
    },
  };
}

function toReservation(doc: ReservationDocument | null): Reservation | null {
  if (!doc) return null;
  return {
    orderId: doc.orderId,
    // FerretDB does not store an empty array written by an upsert: no lines reads back as no field.
    lines: (doc.lines ?? []).map(({ sku, quantity }) => ({ sku, quantity })),
    status: doc.status,
    cancelRequested: doc.cancelRequested === true,
    releasePending: doc.releasePending === true,
    releasedFrom: doc.releasedFrom ?? null,
    commitPending: doc.commitPending === true,
    leaseOwner: doc.leaseOwner ?? null,
  };
}
