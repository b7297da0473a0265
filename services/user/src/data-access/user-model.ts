import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { OutboxFields } from '@platform/kit';
import { outboxSchemaPlugin } from '@platform/kit/mongoose';
import type { Role } from '../domain/user';

export interface UserDocument extends OutboxFields {
  _id: Types.ObjectId;
  email: string;
  passwordHash: string;
  role: Role;
  createdAt: Date;
  updatedAt: Date;
}

export const usersCollection = 'users';

const userSchema = new Schema<UserDocument>(
  {
    email: { type: String, required: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ['customer', 'admin'], required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: usersCollection, versionKey: false },
);

// The outbox fields (events waiting for the kit's relay, written in the same update as the change) and their index,
// built by the kit's migration.
userSchema.plugin(outboxSchemaPlugin);

// Built by migrations/20261122000001-initial-indexes.js (autoIndex is off); keep the two in step.
userSchema.index({ email: 1 }, { unique: true, name: 'email_unique' });
userSchema.index({ createdAt: -1, _id: -1 }, { name: 'created_desc' });
userSchema.index({ role: 1, createdAt: -1, _id: -1 }, { name: 'role_created_desc' });

export function userModel(connection: Connection): Model<UserDocument> {
  return (
    (connection.models.User as Model<UserDocument> | undefined) ?? connection.model<UserDocument>('User', userSchema)
  );
}
