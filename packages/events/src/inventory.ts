import Joi from 'joi';
import { id, sku } from './common';

export interface ReservedLineV1 {
  sku: string;
  quantity: number;
}

/** inventory.reserved v1: every line of the order is reserved (all or nothing). */
export interface InventoryReservedV1 {
  orderId: string;
  lines: ReservedLineV1[];
}
export const inventoryReservedV1 = Joi.object<InventoryReservedV1>({
  orderId: id.required(),
  lines: Joi.array()
    .items(Joi.object({ sku: sku.required(), quantity: Joi.number().integer().min(1).required() }))
    .min(1)
    .required(),
});

export type RejectionReason = 'INSUFFICIENT_STOCK' | 'UNKNOWN_SKU';

export interface RejectedLineV1 {
  sku: string;
  requested: number;
  available: number;
  reason: RejectionReason;
}

/** inventory.rejected v1: nothing was reserved; each failing line says why. */
export interface InventoryRejectedV1 {
  orderId: string;
  lines: RejectedLineV1[];
}
export const inventoryRejectedV1 = Joi.object<InventoryRejectedV1>({
  orderId: id.required(),
  lines: Joi.array()
    .items(
      Joi.object({
        sku: sku.required(),
        requested: Joi.number().integer().min(1).required(),
        available: Joi.number().integer().min(0).required(),
        reason: Joi.string().valid('INSUFFICIENT_STOCK', 'UNKNOWN_SKU').required(),
      }),
    )
    .min(1)
    .required(),
});
