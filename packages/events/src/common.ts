import Joi from 'joi';

/** Ids are 24-hex MongoDB ObjectIds rendered as strings; consumers never parse them. */
export const id = Joi.string().hex().length(24);
export const sku = Joi.string().pattern(/^[A-Z0-9][A-Z0-9-]{1,39}$/);
/** Money is always an integer amount of minor units (cents) plus an ISO 4217 code: no floating point. */
export const amountMinor = Joi.number().integer().min(0).max(1_000_000_000);
export const currency = Joi.string().length(3).uppercase();
export const isoDate = Joi.string().isoDate();
