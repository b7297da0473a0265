import { Types, type Connection } from 'mongoose';
import type { OutboxEntry, OutboxRelay } from '@platform/kit';
import { isDuplicateKeyError } from '@platform/kit/mongoose';
import type { ProductRepository } from '../domain/ports';
import { nameSortKey, type Product, type ProductChanges } from '../domain/product';
import { SkuTaken } from '../errors';
import { productModel, type ProductDocument } from './product-model';
import { listFilter, listSort, live } from './product-queries';

function toProduct(doc: ProductDocument): Product {
  return {
    id: doc._id.toHexString(),
    sku: doc.sku,
    name: doc.name,
    description: doc.description,
    category: doc.category,
    priceMinor: doc.priceMinor,
    currency: doc.currency,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/** The product's own fields in storage form: the name always travels with its sort key. */
function stored(changes: ProductChanges): Partial<ProductDocument> {
  return changes.name === undefined ? { ...changes } : { ...changes, nameKey: nameSortKey(changes.name) };
}

/** `relay` publishes the events each write leaves in the document's outbox, right after the write. */
export function createProductRepository(connection: Connection, relay: OutboxRelay): ProductRepository {
  const Products = productModel(connection);

  /** The conditional single-document write every change goes through: state, version and events together. */
  async function applyIfCurrent(current: Product, set: Partial<ProductDocument>, outbox: OutboxEntry[]) {
    const stamp = relay.stamp();
    const doc = await Products.findOneAndUpdate(
      { _id: current.id, version: current.version, ...live },
      { $set: { ...set, ...stamp.fields }, $inc: { version: 1 }, $push: { outbox: { $each: outbox } } },
      { returnDocument: 'after' },
    ).lean<ProductDocument>();
    if (!doc) return undefined;
    relay.publishAfterWrite(doc._id, stamp, doc);
    return toProduct(doc);
  }

  return {
    nextId: () => new Types.ObjectId().toHexString(),

    async findById(id) {
      const doc = await Products.findOne({ _id: id, ...live }).lean<ProductDocument>();
      return doc ? toProduct(doc) : undefined;
    },

    async findBySku(sku) {
      const doc = await Products.findOne({ sku, ...live }).lean<ProductDocument>();
      return doc ? toProduct(doc) : undefined;
    },

    async insert(id, product, outbox) {
      const stamp = relay.stamp();
      try {
        const doc = await Products.create({
          _id: id,
          ...product,
          nameKey: nameSortKey(product.name),
          version: 1,
          outbox,
          ...stamp.fields,
        });
        relay.publishAfterWrite(doc._id, stamp, { outbox });
        return toProduct(doc.toObject());
      } catch (err) {
        if (isDuplicateKeyError(err)) {
          throw SkuTaken(`sku ${product.sku} belongs to another product (SKUs are never reused, even after a delete)`);
        }
        throw err;
      }
    },

    update: (current, changes, outbox) => applyIfCurrent(current, stored(changes), outbox),

    softDelete: (current, outbox) => applyIfCurrent(current, { deletedAt: new Date() }, outbox),

    async list({ filter, sort, after, limit }) {
      const docs = await Products.find(listFilter(filter, sort, after))
        .sort(listSort(sort))
        .limit(limit)
        .lean<ProductDocument[]>();
      return docs.map(toProduct);
    },
  };
}
