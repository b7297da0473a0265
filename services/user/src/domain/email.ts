import { EventTypes, payloadSchemas } from '@platform/events';
import { InvalidEmail } from '../errors';

/** One account per address however it is typed: stored, compared and locked out in this form. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

const contractEmail = payloadSchemas[EventTypes.UserRegistered].extract('email');

/**
 * The HTTP schema's email format is looser than the event contract's (it accepts "a@b", for one); an address
 * the contract rejects would send every `user.registered` for it to the consumers' dead-letter topics.
 */
export function assertContractEmail(email: string): void {
  const { error } = contractEmail.validate(email);
  if (error) throw InvalidEmail(`email ${error.message.replace(/^"value" /, '')}`);
}
