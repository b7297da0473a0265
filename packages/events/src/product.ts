import Joi from 'joi';
import { amountMinor, currency, id, sku } from './common';

/** The product facts other services need (inventory keys stock by sku; orders snapshot the price). */
export interface ProductSnapshotV1 {
  productId: string;
  sku: string;
  name: string;
  category: string;
  priceMinor: number;
  currency: string;
}

const productSnapshot = {
  productId: id.required(),
  sku: sku.required(),
  name: Joi.string().min(1).max(200).required(),
  category: Joi.string().min(1).max(100).required(),
  priceMinor: amountMinor.required(),
  currency: currency.required(),
};

/** product.created v1. Published by the product service; inventory creates a stock record for the sku. */
export type ProductCreatedV1 = ProductSnapshotV1;
export const productCreatedV1 = Joi.object<ProductCreatedV1>(productSnapshot);

/** product.updated v1: the product after the change, including its current price. */
export type ProductUpdatedV1 = ProductSnapshotV1;
export const productUpdatedV1 = Joi.object<ProductUpdatedV1>(productSnapshot);

/** product.deleted v1. */
export interface ProductDeletedV1 {
  productId: string;
  sku: string;
}
export const productDeletedV1 = Joi.object<ProductDeletedV1>({ productId: id.required(), sku: sku.required() });
