import { Schema, type Connection, type Model } from 'mongoose';

/** One order's claim on a sku. Holds are keyed by order id, which makes holding and giving back idempotent. */
export interface Hold {
  orderId: string;
  quantity: number;
}

export interface StockReturn {
  orderId: string;
  at: Date;
}

export interface StockDocument {
  sku: string;
  productId: string;
  /** On the shelf and free to reserve; never below zero (every decrement is conditional). */
  available: number;
  /** Held by reservations not released: pending confirmation, or confirmed and not yet shipped. */
  reserved: number;
  discontinued: boolean;
  /**
   * Tombstones: products deleted under this sku, whether or not their product.created was seen (a product.deleted
   * can come first: a dead-lettered product.created replayed later). A late product.created of one of them never
   * creates or takes over the record.
   */
  deletedProductIds?: string[];
  /**
   * A product created under this sku while another one still held it: its product.deleted (on another partition)
   * is still on its way, since the product service lets one product at a time hold a sku. It takes over then.
   */
  nextProductId?: string;
  /** Holds of orders in flight (PENDING or RESERVED reservations); a confirmation commits its hold (removes it). */
  holds: Hold[];
  /**
   * Confirmed orders whose units were given back (cancelled after confirmation): each is given back once. Kept
   * for a day (pruned by the sweeper), far longer than any release of theirs can still be running.
   */
  returns?: StockReturn[];
  createdAt: Date;
  updatedAt: Date;
}

// No _id: holds are given back with `$pull` of the exact element, which must equal what `$push` wrote.
const holdSchema = new Schema<Hold>(
  { orderId: { type: String, required: true }, quantity: { type: Number, required: true } },
  { _id: false },
);

const returnSchema = new Schema<StockReturn>(
  { orderId: { type: String, required: true }, at: { type: Date, required: true } },
  { _id: false },
);

const stockSchema = new Schema<StockDocument>(
  {
    sku: { type: String, required: true },
    productId: { type: String, required: true },
    available: { type: Number, required: true, min: 0 },
    reserved: { type: Number, required: true, min: 0 },
    discontinued: { type: Boolean, required: true, default: false },
    deletedProductIds: { type: [String], default: undefined },
    nextProductId: { type: String },
    holds: { type: [holdSchema], default: [] },
    returns: { type: [returnSchema], default: undefined },
  },
  { collection: 'stock', versionKey: false, timestamps: true },
);
stockSchema.index({ sku: 1 }, { unique: true });

export function stockModel(connection: Connection): Model<StockDocument> {
  return (
    (connection.models.Stock as Model<StockDocument> | undefined) ??
    connection.model<StockDocument>('Stock', stockSchema)
  );
}
