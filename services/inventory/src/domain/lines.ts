import type { OrderLineV1 } from '@platform/events';
import type { ReservationLine } from './ports';

/**
 * One line per sku, in the order they first appear. An order may list a sku twice; holds are keyed by
 * (sku, order), so the quantities must be summed before anything is held.
 */
export function aggregateLines(lines: readonly Pick<OrderLineV1, 'sku' | 'quantity'>[]): ReservationLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}
