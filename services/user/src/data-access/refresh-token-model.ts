import { Schema, type Connection, type Model, type Types } from 'mongoose';

export interface RefreshTokenDocument {
  _id: Types.ObjectId;
  /** sha256 of the token; the token itself is never stored. */
  tokenHash: string;
  familyId: string;
  userId: Types.ObjectId;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

const refreshTokenSchema = new Schema<RefreshTokenDocument>(
  {
    tokenHash: { type: String, required: true },
    familyId: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'refresh_tokens', versionKey: false },
);

// Built by migrations/20261122000001-initial-indexes.js (autoIndex is off); keep the two in step.
refreshTokenSchema.index({ tokenHash: 1 }, { unique: true, name: 'token_hash_unique' });
refreshTokenSchema.index({ familyId: 1 }, { name: 'family' });
refreshTokenSchema.index({ userId: 1, expiresAt: 1 }, { name: 'user_expiry' });

export function refreshTokenModel(connection: Connection): Model<RefreshTokenDocument> {
  return (
    (connection.models.RefreshToken as Model<RefreshTokenDocument> | undefined) ??
    connection.model<RefreshTokenDocument>('RefreshToken', refreshTokenSchema)
  );
}
