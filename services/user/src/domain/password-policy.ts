import { WeakPassword } from '../errors';
import { commonPasswords } from './common-passwords';

export const minPasswordLength = 12;

export type WeaknessReason = 'TOO_SHORT' | 'CONTAINS_EMAIL' | 'COMMON_PASSWORD';

export interface Weakness {
  reason: WeaknessReason;
  message: string;
}

/** Local parts shorter than this ("jo@...") are too likely inside any password to count as "containing the email". */
const minLocalPartToMatch = 3;

/**
 * Why a password is too weak, or undefined when it is acceptable. Follows NIST SP 800-63B: length and a
 * block-list instead of composition rules. `email` is the normalised (lower-case) address.
 */
export function passwordWeakness(password: string, email: string): Weakness | undefined {
  // Code points, not UTF-16 units: "🔑" is one character to the person typing it.
  if ([...password].length < minPasswordLength) {
    return { reason: 'TOO_SHORT', message: `must be at least ${minPasswordLength} characters long` };
  }
  const lower = password.toLowerCase();
  const localPart = email.slice(0, email.lastIndexOf('@'));
  if (lower === email || (localPart.length >= minLocalPartToMatch && lower.includes(localPart))) {
    return { reason: 'CONTAINS_EMAIL', message: 'must not contain the email address' };
  }
  const stem = lower.replace(/\P{L}+$/u, '');
  if (commonPasswords.has(lower) || commonPasswords.has(stem)) {
    return { reason: 'COMMON_PASSWORD', message: 'is too common; choose a less predictable password' };
  }
  return undefined;
}

/** Throws 400 WEAK_PASSWORD, naming the rule the password breaks. */
export function assertStrongPassword(password: string, email: string): void {
  const weakness = passwordWeakness(password, email);
  if (weakness) {
    throw WeakPassword(`password ${weakness.message}`, { extensions: { reason: weakness.reason } });
  }
}
