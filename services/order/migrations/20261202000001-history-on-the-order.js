/**
 * Transitions are now decided and applied by one conditional update of the order, which also appends them to the
 * order's `history`; the separate `order_transitions` log (one more insert per status change, kept from when
 * FerretDB could not run a conditional update atomically) goes.
 *
 * up: each logged transition appended to its order's history (in the order they were decided), then the log
 * dropped. down: the log rebuilt from the histories (with its unique index; the events are published already, so
 * none are kept), and the histories removed.
 */
// mongoose's ObjectId (the driver's own): mongoose is what this service depends on.
const { ObjectId } = require('mongoose').Types;

const LOG = 'order_transitions';
const index = { key: { orderId: 1, from: 1 }, options: { name: 'orderId_1_from_1', unique: true } };

/** Filtered here rather than by listCollections' filter, which mongo-java-server (the local database) ignores. */
async function exists(db, name) {
  return (await db.listCollections({}, { nameOnly: true }).toArray()).some((c) => c.name === name);
}

module.exports = {
  async up(db) {
    if (!(await exists(db, LOG))) return;
    const orders = db.collection('orders');
    const cursor = db.collection(LOG).find({}, { sort: { decidedAt: 1 } });
    for await (const { orderId, from, to, decidedAt } of cursor) {
      // Once per status left, so running it again adds nothing. `$nor` of a positive match, not `$nin`: FerretDB
      // 1.24 answers a negation over a path into an array element by element (see the README).
      await orders.updateOne(
        { _id: new ObjectId(orderId), $nor: [{ 'history.from': { $in: [from] } }] },
        { $push: { history: { from, to, at: decidedAt } } },
      );
    }
    await db.collection(LOG).drop();
  },
  async down(db) {
    const log = db.collection(LOG);
    await log.createIndex(index.key, index.options);
    const cursor = db.collection('orders').find({ history: { $exists: true } }, { projection: { history: 1 } });
    for await (const { _id, history = [] } of cursor) {
      for (const { from, to, at } of history) {
        await log.updateOne(
          { orderId: _id.toHexString(), from },
          { $setOnInsert: { to, events: [], decidedAt: at } },
          { upsert: true },
        );
      }
    }
    await db.collection('orders').updateMany({ history: { $exists: true } }, { $unset: { history: '' } });
  },
};
