import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { OutboxFields } from '@platform/kit';
import { outboxSchemaPlugin } from '@platform/kit/mongoose';

/** A product as stored in the `products` collection. */
export interface ProductDocument extends OutboxFields {
  _id: Types.ObjectId;
  sku: string;
  name: string;
  /** Lower-cased name: what `sort=name` orders by, so the order does not depend on capitalisation. */
  nameKey: string;
  description: string;
  category: string;
  priceMinor: number;
  currency: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Set by a delete; such documents are invisible to every read. */
  deletedAt?: Date | null;
}

export const productSchema = new Schema<ProductDocument>(
  {
    sku: { type: String, required: true },
    name: { type: String, required: true },
    nameKey: { type: String, required: true },
    description: { type: String, default: '' },
    category: { type: String, required: true },
    priceMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    version: { type: Number, required: true, default: 1 },
    deletedAt: { type: Date, default: null },
  },
  { collection: 'products', timestamps: true, versionKey: false },
);

// The outbox fields (events waiting for the kit's relay, written in the same update as the change) and their index.
productSchema.plugin(outboxSchemaPlugin);

// The migrations create exactly these (autoIndex is off). A soft-deleted product keeps its sku: SKUs are never reused.
productSchema.index({ sku: 1 }, { unique: true, name: 'sku_unique' });
// One index per sort, each ending in _id, the keyset tie-breaker; they serve both directions.
productSchema.index({ createdAt: -1, _id: -1 }, { name: 'createdAt_id' });
productSchema.index({ priceMinor: 1, _id: 1 }, { name: 'priceMinor_id' });
productSchema.index({ nameKey: 1, _id: 1 }, { name: 'nameKey_id' });
// Browsing one category, newest first: the storefront's most common list.
productSchema.index({ category: 1, createdAt: -1, _id: -1 }, { name: 'category_createdAt_id' });

export type ProductModel = Model<ProductDocument>;

export function productModel(connection: Connection): ProductModel {
  return (
    (connection.models.Product as ProductModel | undefined) ??
    connection.model<ProductDocument>('Product', productSchema)
  );
}
