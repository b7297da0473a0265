import Joi from 'joi';
import { id, isoDate } from './common';

export type UserRole = 'customer' | 'admin';

/** user.registered v1: a new account exists. Published by the user service. */
export interface UserRegisteredV1 {
  userId: string;
  email: string;
  role: UserRole;
  registeredAt: string;
}

export const userRegisteredV1 = Joi.object<UserRegisteredV1>({
  userId: id.required(),
  email: Joi.string().email({ tlds: false }).required(),
  role: Joi.string().valid('customer', 'admin').required(),
  registeredAt: isoDate.required(),
});
