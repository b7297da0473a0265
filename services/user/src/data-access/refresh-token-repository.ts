import { Types, type Connection } from 'mongoose';
import type { RefreshTokenRepository } from '../domain/ports';
import type { RefreshTokenRecord } from '../domain/user';
import { refreshTokenModel, type RefreshTokenDocument } from './refresh-token-model';

function toRecord(doc: RefreshTokenDocument): RefreshTokenRecord {
  return {
    tokenHash: doc.tokenHash,
    familyId: doc.familyId,
    userId: doc.userId.toHexString(),
    expiresAt: doc.expiresAt,
    ...(doc.usedAt && { usedAt: doc.usedAt }),
    ...(doc.revokedAt && { revokedAt: doc.revokedAt }),
  };
}

export function createRefreshTokenRepository(connection: Connection): RefreshTokenRepository {
  const Tokens = refreshTokenModel(connection);

  return {
    async insert({ tokenHash, familyId, userId, expiresAt }) {
      await Tokens.create({
        tokenHash,
        familyId,
        userId: new Types.ObjectId(userId),
        createdAt: new Date(),
        expiresAt,
      });
    },

    async consume(tokenHash, now) {
      // One conditional update: of two concurrent refreshes with the same token exactly one gets it.
      const doc = await Tokens.findOneAndUpdate(
        { tokenHash, usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
        { $set: { usedAt: now } },
        { returnDocument: 'before' },
      ).lean();
      return doc ? toRecord(doc) : undefined;
    },

    async find(tokenHash) {
      const doc = await Tokens.findOne({ tokenHash }).lean();
      return doc ? toRecord(doc) : undefined;
    },

    async revokeFamily(familyId, now) {
      const result = await Tokens.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: now } });
      return result.modifiedCount;
    },

    async familyRevoked(familyId) {
      return (await Tokens.exists({ familyId, revokedAt: { $ne: null } })) !== null;
    },

    async deleteExpired(userId, now) {
      await Tokens.deleteMany({ userId: new Types.ObjectId(userId), expiresAt: { $lt: now } });
    },
  };
}
