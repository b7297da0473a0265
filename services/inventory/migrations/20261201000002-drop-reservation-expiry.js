/**
 * Reservations no longer expire by time (the order service's deadline gives every order an outcome, and order.rejected
 * releases the stock), so the sweeper's (status, expiresAt) index only slows writes down.
 */
const index = { key: { status: 1, expiresAt: 1 }, options: { name: 'status_1_expiresAt_1' } };

module.exports = {
  async up(db) {
    const reservations = db.collection('reservations');
    if (await reservations.indexExists(index.options.name)) await reservations.dropIndex(index.options.name);
  },
  async down(db) {
    await db.collection('reservations').createIndex(index.key, index.options);
  },
};
