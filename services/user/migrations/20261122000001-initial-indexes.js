/**
 * The indexes the models declare (src/data-access/*-model.ts); autoIndex is off, so this is where they are built.
 * FerretDB has no TTL indexes: expired refresh tokens are deleted by the service (at each login of their user).
 */
const indexes = {
  users: [
    { key: { email: 1 }, name: 'email_unique', unique: true },
    { key: { createdAt: -1, _id: -1 }, name: 'created_desc' },
    { key: { role: 1, createdAt: -1, _id: -1 }, name: 'role_created_desc' },
  ],
  refresh_tokens: [
    { key: { tokenHash: 1 }, name: 'token_hash_unique', unique: true },
    { key: { familyId: 1 }, name: 'family' },
    { key: { userId: 1, expiresAt: 1 }, name: 'user_expiry' },
  ],
};

module.exports = {
  async up(db) {
    for (const [collection, specs] of Object.entries(indexes)) {
      await db.collection(collection).createIndexes(specs);
    }
  },

  async down(db) {
    for (const [collection, specs] of Object.entries(indexes)) {
      for (const { name } of specs) await db.collection(collection).dropIndex(name);
    }
  },
};
