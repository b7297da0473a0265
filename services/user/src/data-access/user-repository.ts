import { Types, type Connection, type QueryFilter } from 'mongoose';
import type { OutboxEntry, OutboxRelay } from '@platform/kit';
import { isDuplicateKeyError } from '@platform/kit/mongoose';
import { EmailTaken } from '../errors';
import type { UserRepository } from '../domain/ports';
import type { Role, User, UserWithPassword } from '../domain/user';
import { userModel, type UserDocument } from './user-model';

const publicFields = { email: 1, role: 1, createdAt: 1 } as const;

function toUser(doc: Pick<UserDocument, '_id' | 'email' | 'role' | 'createdAt'>): User {
  return { id: doc._id.toHexString(), email: doc.email, role: doc.role, createdAt: doc.createdAt };
}

/** Ids reach us from tokens too; one that is not an ObjectId simply matches no user. */
function objectId(id: string): Types.ObjectId | undefined {
  return /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : undefined;
}

/** `relay` publishes the events each write leaves in the document's outbox, right after the write. */
export function createUserRepository(connection: Connection, relay: OutboxRelay): UserRepository {
  const Users = userModel(connection);

  return {
    nextId: () => new Types.ObjectId().toHexString(),

    async insert(user: UserWithPassword, outbox: OutboxEntry[]) {
      const stamp = relay.stamp();
      const _id = new Types.ObjectId(user.id);
      try {
        await Users.create({
          _id,
          email: user.email,
          passwordHash: user.passwordHash,
          role: user.role,
          createdAt: user.createdAt,
          updatedAt: user.createdAt,
          outbox,
          ...stamp.fields,
        });
      } catch (err) {
        // The unique index decides, not a prior lookup: two concurrent registrations cannot both win.
        if (isDuplicateKeyError(err)) throw EmailTaken(`${user.email} is already registered`);
        throw err;
      }
      relay.publishAfterWrite(_id, stamp, { outbox });
    },

    async findById(id) {
      const _id = objectId(id);
      if (!_id) return undefined;
      const doc = await Users.findById(_id, publicFields).lean();
      return doc ? toUser(doc) : undefined;
    },

    async findByEmail(email) {
      const doc = await Users.findOne({ email }, { ...publicFields, passwordHash: 1 }).lean();
      return doc ? { ...toUser(doc), passwordHash: doc.passwordHash } : undefined;
    },

    async setRole(id, role: Role) {
      const _id = objectId(id);
      if (!_id) return undefined;
      const before = await Users.findOneAndUpdate(
        { _id },
        { $set: { role, updatedAt: new Date() } },
        // No projection: FerretDB does not implement one on findAndModify.
        { returnDocument: 'before' },
      ).lean();
      return before ? toUser(before) : undefined;
    },

    async list({ role, after, limit }) {
      const filter: QueryFilter<UserDocument> = role ? { role } : {};
      if (after) {
        const afterId = new Types.ObjectId(after.id);
        filter.$or = [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: afterId } }];
      }
      const docs = await Users.find(filter, publicFields).sort({ createdAt: -1, _id: -1 }).limit(limit).lean();
      return docs.map(toUser);
    },
  };
}
