import { Types, type Connection, type QueryFilter } from 'mongoose';
import type { OutboxRelay } from '@platform/kit';
import { OrderStatus, type Order } from '../domain/order';
import type { OrderRepository } from '../domain/ports';
import { isDuplicateKeyError } from '@platform/kit/mongoose';
import { orderModel, type OrderDocument, type OrderTransition } from './order-model';

function toOrder(doc: OrderDocument): Order {
  return {
    id: doc._id.toHexString(),
    userId: doc.userId,
    status: doc.status,
    lines: doc.lines.map(({ productId, sku, quantity, unitPriceMinor }) => ({
      productId,
      sku,
      quantity,
      unitPriceMinor,
    })),
    currency: doc.currency,
    totalMinor: doc.totalMinor,
    ...(doc.rejectionReason === undefined ? {} : { rejectionReason: doc.rejectionReason }),
    ...(doc.cancelledBy === undefined ? {} : { cancelledBy: doc.cancelledBy }),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/**
 * Queries are built only from typed, already validated values: no client input reaches a filter as an object.
 * `relay` publishes the events each write leaves in the order's outbox, right after the write.
 */
export function createOrderRepository(connection: Connection, relay: OutboxRelay): OrderRepository {
  const model = orderModel(connection);

  async function findById(id: string): Promise<Order | null> {
    const doc = await model.findById(new Types.ObjectId(id)).lean<OrderDocument>();
    return doc ? toOrder(doc) : null;
  }

  return {
    async insert(order, events) {
      const stamp = relay.stamp();
      const _id = new Types.ObjectId(order.id);
      try {
        await model.create({
          _id,
          userId: order.userId,
          status: OrderStatus.Pending,
          lines: order.lines,
          currency: order.currency,
          totalMinor: order.totalMinor,
          createdAt: order.createdAt,
          updatedAt: order.createdAt,
          outbox: events,
          ...stamp.fields,
        });
        relay.publishAfterWrite(_id, stamp, { outbox: events });
        return true;
      } catch (err) {
        if (isDuplicateKeyError(err)) return false;
        throw err;
      }
    },

    findById,

    async changeStatus(id, { from, to, set = {}, events }) {
      // One conditional update decides and applies: of two transitions out of `from`, only the first matches.
      // FerretDB runs it atomically too, behind the local proxy (see packages/local-infra).
      const stamp = relay.stamp();
      const now = new Date();
      const step: OrderTransition = { from, to, at: now };
      const doc = await model
        .findOneAndUpdate(
          { _id: new Types.ObjectId(id), status: from },
          {
            $set: { ...set, status: to, updatedAt: now, ...stamp.fields },
            $push: { outbox: { $each: events }, history: step },
          },
          { returnDocument: 'after' },
        )
        .lean<OrderDocument>();
      if (!doc) return null;
      relay.publishAfterWrite(doc._id, stamp, doc);
      return toOrder(doc);
    },

    async findPendingPlacedBefore(date, limit) {
      // Equality on the indexed status (what every backend answers from the index); the age is checked on the few
      // PENDING orders that match, oldest first.
      const docs = await model
        .find({ status: OrderStatus.Pending, createdAt: { $lt: date } })
        .sort({ createdAt: 1 })
        .limit(limit)
        .lean<OrderDocument[]>();
      return docs.map(toOrder);
    },

    async countInSaga(limit) {
      // Equality on the indexed status; the few PENDING orders (the backlog is bounded by this very count) are then
      // checked one by one. An order being published (leased by a relay) counts: under load its clearing update may
      // trail inventory's work on it. Ids only, and no more than `limit` of them.
      const docs = await model
        .find(
          {
            status: OrderStatus.Pending,
            $or: [{ outboxPending: { $exists: false } }, { outboxLease: { $exists: true } }],
          },
          { _id: 1 },
        )
        .limit(limit)
        .lean();
      return docs.length;
    },

    async list({ userId, status, after, limit }) {
      const filter: QueryFilter<OrderDocument> = {};
      if (userId !== undefined) filter.userId = userId;
      if (status !== undefined) filter.status = status;
      if (after) {
        filter.$or = [
          { createdAt: { $lt: after.createdAt } },
          { createdAt: after.createdAt, _id: { $lt: new Types.ObjectId(after.id) } },
        ];
      }
      const docs = await model.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit).lean<OrderDocument[]>();
      return docs.map(toOrder);
    },
  };
}
