import { randomUUID } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import type { IdempotencyRecord, IdempotencyStore } from '../domain/ports';
import { idempotencyKeyModel, type IdempotencyKeyDocument } from './idempotency-key-model';
import { isDuplicateKeyError } from '@platform/kit/mongoose';

function toRecord(doc: IdempotencyKeyDocument): IdempotencyRecord {
  return {
    requestHash: doc.requestHash,
    orderId: doc.orderId,
    leaseOwner: doc.leaseOwner,
    ...(doc.state === 'COMPLETED' && doc.response ? { response: doc.response } : {}),
  };
}

const leaseEnd = (leaseMs: number): Date => new Date(Date.now() + leaseMs);

export function createIdempotencyKeyRepository(connection: Connection): IdempotencyStore {
  const model = idempotencyKeyModel(connection);

  return {
    async claim({ userId, key }, requestHash, leaseMs) {
      const doc: Omit<IdempotencyKeyDocument, '_id'> = {
        userId,
        key,
        requestHash,
        orderId: new Types.ObjectId().toHexString(),
        state: 'IN_PROGRESS',
        leaseOwner: randomUUID(),
        leaseUntil: leaseEnd(leaseMs),
        createdAt: new Date(),
      };
      try {
        await model.create(doc);
        return toRecord({ _id: new Types.ObjectId(), ...doc });
      } catch (err) {
        if (isDuplicateKeyError(err)) return null;
        throw err;
      }
    },

    async find({ userId, key }) {
      const doc = await model.findOne({ userId, key }).lean<IdempotencyKeyDocument>();
      return doc ? toRecord(doc) : null;
    },

    async takeOver({ userId, key }, leaseMs) {
      const doc = await model
        .findOneAndUpdate(
          { userId, key, state: 'IN_PROGRESS', leaseUntil: { $lt: new Date() } },
          { $set: { leaseOwner: randomUUID(), leaseUntil: leaseEnd(leaseMs) } },
          { returnDocument: 'after' },
        )
        .lean<IdempotencyKeyDocument>();
      return doc ? toRecord(doc) : null;
    },

    async release({ userId, key }, leaseOwner) {
      await model.deleteOne({ userId, key, state: 'IN_PROGRESS', leaseOwner });
    },

    async purgeCreatedBefore(date) {
      const { deletedCount } = await model.deleteMany({ createdAt: { $lt: date } });
      return deletedCount;
    },
  };
}
