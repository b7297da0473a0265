/**
 * Confirmed orders' holds leave the stock records (their units stay counted in `reserved`): a record then carries
 * the holds of orders in flight only, instead of one per order ever confirmed, which every reservation of the sku
 * read and rewrote (220 ms per reservation at 3,000 holds on FerretDB, against 8 ms at none).
 *
 * up: the sweeper's index for confirmations whose holds are not all committed yet, and the holds of reservations
 * already CONFIRMED committed (pulled) now. down: those holds put back on the records (counters untouched: the
 * units were never given back), and the index dropped.
 */
const index = { key: { commitPending: 1 }, options: { name: 'commitPending_1' } };

/** Confirmed reservations one at a time (a cursor), each line's hold pulled or pushed with the same element. */
async function eachConfirmedLine(db, apply) {
  const cursor = db.collection('reservations').find({ status: 'CONFIRMED' }, { projection: { orderId: 1, lines: 1 } });
  for await (const { orderId, lines = [] } of cursor) {
    for (const { sku, quantity } of lines) await apply(db.collection('stock'), sku, { orderId, quantity });
  }
}

module.exports = {
  async up(db) {
    await db.collection('reservations').createIndex(index.key, index.options);
    // `$in`: FerretDB 1.24 on PostgreSQL cannot match a dotted equality into an array in an update (see the README).
    await eachConfirmedLine(db, (stock, sku, hold) =>
      stock.updateOne({ sku, 'holds.orderId': { $in: [hold.orderId] } }, { $pull: { holds: hold } }),
    );
  },
  async down(db) {
    await eachConfirmedLine(db, (stock, sku, hold) =>
      stock.updateOne({ sku, 'holds.orderId': { $ne: hold.orderId } }, { $push: { holds: hold } }),
    );
    const reservations = db.collection('reservations');
    if (await reservations.indexExists(index.options.name)) await reservations.dropIndex(index.options.name);
  },
};
