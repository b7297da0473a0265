import Joi from 'joi';
import { amountMinor, currency, id, sku } from './common';

export interface OrderLineV1 {
  productId: string;
  sku: string;
  quantity: number;
  unitPriceMinor: number;
}

const orderLine = Joi.object<OrderLineV1>({
  productId: id.required(),
  sku: sku.required(),
  quantity: Joi.number().integer().min(1).max(1_000).required(),
  unitPriceMinor: amountMinor.required(),
});

/** order.created v1: an order was accepted as PENDING; inventory tries to reserve its lines. */
export interface OrderCreatedV1 {
  orderId: string;
  userId: string;
  lines: OrderLineV1[];
  totalMinor: number;
  currency: string;
}
export const orderCreatedV1 = Joi.object<OrderCreatedV1>({
  orderId: id.required(),
  userId: id.required(),
  lines: Joi.array().items(orderLine).min(1).max(100).required(),
  totalMinor: amountMinor.required(),
  currency: currency.required(),
});

/** order.confirmed v1: stock is reserved; the order is final. */
export interface OrderConfirmedV1 {
  orderId: string;
  userId: string;
}
export const orderConfirmedV1 = Joi.object<OrderConfirmedV1>({ orderId: id.required(), userId: id.required() });

/** order.rejected v1: stock could not be reserved. */
export interface OrderRejectedV1 {
  orderId: string;
  userId: string;
  reason: string;
}
export const orderRejectedV1 = Joi.object<OrderRejectedV1>({
  orderId: id.required(),
  userId: id.required(),
  reason: Joi.string().max(500).required(),
});

/** order.cancelled v1: by its owner or an admin; inventory releases whatever it reserved for it. */
export interface OrderCancelledV1 {
  orderId: string;
  userId: string;
  previousStatus: 'PENDING' | 'CONFIRMED';
  cancelledBy: string;
}
export const orderCancelledV1 = Joi.object<OrderCancelledV1>({
  orderId: id.required(),
  userId: id.required(),
  previousStatus: Joi.string().valid('PENDING', 'CONFIRMED').required(),
  cancelledBy: id.required(),
});
