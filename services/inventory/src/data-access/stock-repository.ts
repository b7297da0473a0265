import type { Connection } from 'mongoose';
import type { StockRecord, StockRepository } from '../domain/ports';
import { isDuplicateKeyError } from '@platform/kit/mongoose';
import { stockModel, type Hold, type StockDocument, type StockReturn } from './stock-model';

/** Reads that only show the record leave the holds and returns in the database. */
const WITHOUT_HOLDS = { holds: 0, returns: 0 } as const;

export function createStockRepository(connection: Connection): StockRepository {
  const Stock = stockModel(connection);

  async function modified(sku: string, filter: object, update: object): Promise<boolean> {
    const { modifiedCount } = await Stock.updateOne({ ...filter, sku }, update);
    return modifiedCount === 1;
  }

  async function updated(sku: string, filter: object, update: object): Promise<StockRecord | null> {
    const doc = await Stock.findOneAndUpdate({ ...filter, sku }, update, {
      returnDocument: 'after',
    }).lean<StockDocument>();
    return toRecord(doc);
  }

  /** Inserts the sku's record unless it exists; `update` is applied either way (no automatic timestamps). */
  async function upsert(sku: string, initial: Omit<StockDocument, 'sku'>, update: object = {}): Promise<void> {
    try {
      await Stock.updateOne({ sku }, { $setOnInsert: initial, ...update }, { upsert: true, timestamps: false });
    } catch (err) {
      // Two deliveries racing to insert: the loser's update did not happen; it matches the record now.
      if (!isDuplicateKeyError(err)) throw err;
      if (Object.keys(update).length > 0) await Stock.updateOne({ sku }, update, { timestamps: false });
    }
  }

  return {
    async createForProduct({ sku, productId }) {
      // A redelivered product.created must not write to the record at all, and nothing at all is written for a
      // product already deleted: its tombstone (below) is the record.
      await upsert(sku, initialRecord(productId, false));
      // A product re-created under a deleted product's sku takes the record over. Conditional on the other
      // product id and on the tombstones, so a product.created of a deleted product (redelivered, or later than
      // its product.deleted) does not bring it back.
      const notThisOne = { productId: { $ne: productId }, deletedProductIds: { $ne: productId } };
      const tookOver = await modified(
        sku,
        { ...notThisOne, discontinued: true },
        { $set: { productId, discontinued: false }, $unset: { nextProductId: '' } },
      );
      // Still held by a live product whose product.deleted has not arrived yet: this one takes over when it does.
      if (!tookOver)
        await modified(sku, { ...notThisOne, discontinued: false }, { $set: { nextProductId: productId } });
    },
    async discontinue({ sku, productId }) {
      // The tombstone first, record or not: a product.created that comes after it must not create the product.
      await upsert(sku, initialRecord(productId, true), { $addToSet: { deletedProductIds: productId } });
      await modified(sku, { productId }, { $set: { discontinued: true } });
      // The product created under this sku while this one held it takes over now, unless it was deleted too.
      const held = await Stock.findOne({ sku, productId }, { nextProductId: 1, deletedProductIds: 1 }).lean();
      const next = held?.nextProductId;
      if (!next || held.deletedProductIds?.includes(next)) return;
      await modified(
        sku,
        { productId, nextProductId: next, deletedProductIds: { $ne: next } },
        { $set: { productId: next, discontinued: false }, $unset: { nextProductId: '' } },
      );
    },
    async find(sku) {
      return toRecord(await Stock.findOne({ sku }, WITHOUT_HOLDS).lean<StockDocument>());
    },
    restock(sku, quantity) {
      return updated(sku, { discontinued: { $ne: true } }, { $inc: { available: quantity } });
    },
    adjust(sku, delta) {
      // A decrement only matches while enough is available: the check and the change are one update.
      return updated(sku, delta < 0 ? { available: { $gte: -delta } } : {}, { $inc: { available: delta } });
    },
    reserve(sku, orderId, quantity) {
      return modified(
        sku,
        { discontinued: { $ne: true }, available: { $gte: quantity }, ...noneOf('holds', orderId) },
        { $inc: { available: -quantity, reserved: quantity }, $push: { holds: hold(orderId, quantity) } },
      );
    },
    async hasHold(sku, orderId) {
      return (await Stock.exists({ sku, 'holds.orderId': orderId })) !== null;
    },
    release(sku, orderId, quantity) {
      // Matched on the hold's order id (FerretDB cannot match a whole array element) and pulled as the exact
      // element: an order holds a sku once, with the quantity of its reservation line, so they agree.
      // `$in`, not a plain equality: FerretDB 1.24 on PostgreSQL pushes a dotted equality of an update down to SQL
      // as a path that cannot look into arrays, so it would match nothing; `$in` is evaluated by FerretDB itself.
      return modified(
        sku,
        { 'holds.orderId': { $in: [orderId] } },
        { $inc: { available: quantity, reserved: -quantity }, $pull: { holds: hold(orderId, quantity) } },
      );
    },
    commit(sku, orderId, quantity) {
      // `$in` for the same reason as in release.
      return modified(sku, { 'holds.orderId': { $in: [orderId] } }, { $pull: { holds: hold(orderId, quantity) } });
    },
    giveBackCommitted(sku, orderId, quantity) {
      // Once per order, whether its hold was committed yet or not (then it goes too): both count in `reserved`.
      const given: StockReturn = { orderId, at: new Date() };
      return modified(sku, noneOf('returns', orderId), {
        $inc: { available: quantity, reserved: -quantity },
        $pull: { holds: hold(orderId, quantity) },
        $push: { returns: given },
      });
    },
    async pruneReturns(before) {
      // Few records have returns at all (cancellations after confirmation); each old one is pulled as it was written.
      const records = await Stock.find({ 'returns.at': { $lt: before } }, { sku: 1, returns: 1 }).lean<
        Array<Pick<StockDocument, 'sku' | 'returns'>>
      >();
      let pruned = 0;
      for (const { sku, returns = [] } of records) {
        const old = returns.filter((r) => r.at < before).map((r) => ({ orderId: r.orderId, at: r.at }));
        if (old.length === 0) continue;
        await Stock.updateOne({ sku }, { $pullAll: { returns: old } }, { timestamps: false });
        pruned += old.length;
      }
      return pruned;
    },
  };
}

/**
 * No element of the array `field` is the order's. Not `{ 'field.orderId': { $ne: orderId } }`: FerretDB 1.24 answers
 * a negation over a path into an array of documents element by element (true as soon as one element differs), so
 * with two holds it would match the order's own; `$nor` of a positive match is right on FerretDB and MongoDB alike
 * (`$in` for the reason given in release).
 */
function noneOf(field: 'holds' | 'returns', orderId: string): object {
  return { $nor: [{ [`${field}.orderId`]: { $in: [orderId] } }] };
}

function initialRecord(productId: string, discontinued: boolean): Omit<StockDocument, 'sku' | 'deletedProductIds'> {
  const now = new Date();
  return { productId, available: 0, reserved: 0, discontinued, holds: [], createdAt: now, updatedAt: now };
}

/** Always built here, field order included: `$pull` removes only an element equal to what `$push` wrote. */
function hold(orderId: string, quantity: number): Hold {
  return { orderId, quantity };
}

function toRecord(doc: StockDocument | null): StockRecord | null {
  if (!doc) return null;
  const { sku, productId, available, reserved, discontinued } = doc;
  return { sku, productId, available, reserved, discontinued: discontinued === true };
}
