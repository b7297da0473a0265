/**
 * The indexes the models declare (autoIndex is off): stock by sku, reservations by order, and the sweeper's
 * queries. No TTL index: FerretDB has none; the sweeper expires reservations instead.
 */
const indexes = [
  { collection: 'stock', key: { sku: 1 }, options: { name: 'sku_1', unique: true } },
  { collection: 'reservations', key: { orderId: 1 }, options: { name: 'orderId_1', unique: true } },
  { collection: 'reservations', key: { status: 1, expiresAt: 1 }, options: { name: 'status_1_expiresAt_1' } },
  { collection: 'reservations', key: { releasePending: 1 }, options: { name: 'releasePending_1' } },
];

module.exports = {
  async up(db) {
    for (const { collection, key, options } of indexes) await db.collection(collection).createIndex(key, options);
  },
  async down(db) {
    for (const { collection, options } of indexes) await db.collection(collection).dropIndex(options.name);
  },
};
