import type { RejectedLineV1 } from '@platform/events';

/** order.rejected allows 500 characters; a long list of lines is cut, never the event. */
export const MAX_REASON_LENGTH = 500;

function describeLine({ sku, requested, available, reason }: RejectedLineV1): string {
  if (reason === 'UNKNOWN_SKU') return `${sku} is not stocked`;
  return `${sku}: ${requested} requested, ${available} available`;
}

/** A sentence a customer (or support) can read, built from inventory's per-line reasons. */
export function describeRejection(lines: readonly RejectedLineV1[]): string {
  const text = `Stock could not be reserved: ${lines.map(describeLine).join('; ')}`;
  return text.length <= MAX_REASON_LENGTH ? text : `${text.slice(0, MAX_REASON_LENGTH - 1)}…`;
}
