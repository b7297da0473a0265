/**
 * The indexes the order service's models declare (autoIndex is off: they are built here, at deploy time).
 * test/migrations.test.ts checks this list against the models.
 */
const INDEXES = [
  {
    collection: 'orders',
    key: { userId: 1, createdAt: -1, _id: -1 },
    options: { name: 'userId_1_createdAt_-1__id_-1' },
  },
  {
    collection: 'orders',
    key: { status: 1, createdAt: -1, _id: -1 },
    options: { name: 'status_1_createdAt_-1__id_-1' },
  },
  { collection: 'orders', key: { createdAt: -1, _id: -1 }, options: { name: 'createdAt_-1__id_-1' } },
  {
    collection: 'idempotency_keys',
    key: { userId: 1, key: 1 },
    options: { name: 'userId_1_key_1', unique: true },
  },
  { collection: 'idempotency_keys', key: { createdAt: 1 }, options: { name: 'createdAt_1' } },
  {
    collection: 'order_transitions',
    key: { orderId: 1, from: 1 },
    options: { name: 'orderId_1_from_1', unique: true },
  },
];

module.exports = {
  async up(db) {
    for (const { collection, key, options } of INDEXES) {
      await db.collection(collection).createIndex(key, options);
    }
  },

  async down(db) {
    for (const { collection, options } of [...INDEXES].reverse()) {
      await db.collection(collection).dropIndex(options.name);
    }
  },
};
