import { KitErrors, type InvalidField } from '@platform/kit/core';
import { CurrencyMismatch, MixedCurrencies, OrderTotalTooLarge, UnknownProduct } from '../errors';
import type { OrderLine } from './order';
import type { CatalogProduct } from './ports';

export interface RequestedLine {
  productId: string;
  quantity: number;
}

export interface PricedOrder {
  lines: OrderLine[];
  currency: string;
  totalMinor: number;
}

/** The events' bound on amounts (amountMinor in @platform/events): a larger total could not be published. */
export const MAX_TOTAL_MINOR = 1_000_000_000;

/** One line per product: a schema cannot say "unique by productId", so this check lists the offending fields. */
export function assertDistinctProducts(lines: readonly RequestedLine[]): void {
  const firstIndex = new Map<string, number>();
  const errors: InvalidField[] = [];
  lines.forEach(({ productId }, index) => {
    const first = firstIndex.get(productId);
    if (first === undefined) firstIndex.set(productId, index);
    else errors.push({ in: 'body', field: `/lines/${index}/productId`, message: `duplicates line ${first}` });
  });
  if (errors.length === 0) return;
  const detail = errors.map((e) => `${e.in}${e.field}: ${e.message}`).join('; ');
  throw KitErrors.ValidationFailed(detail, { extensions: { errors } });
}

/**
 * Snapshots each line at the catalog's current price and checks the order can exist: every product known,
 * one currency (the requested one, when given), and a total the events can carry.
 */
export function priceOrder(
  requested: readonly RequestedLine[],
  products: ReadonlyMap<string, CatalogProduct>,
  currency?: string,
): PricedOrder {
  const lines: OrderLine[] = [];
  const unknown: string[] = [];
  for (const { productId, quantity } of requested) {
    const product = products.get(productId);
    if (product) lines.push({ productId, sku: product.sku, quantity, unitPriceMinor: product.priceMinor });
    else unknown.push(productId);
  }
  if (unknown.length > 0) {
    throw UnknownProduct(`no such product: ${unknown.join(', ')}`, { extensions: { productIds: unknown } });
  }

  const currencies = [...new Set(requested.map(({ productId }) => products.get(productId)?.currency))];
  if (currency !== undefined && currencies.some((c) => c !== currency)) {
    throw CurrencyMismatch(`requested ${currency}, products are priced in ${currencies.join(', ')}`);
  }
  const [orderCurrency] = currencies;
  if (currencies.length !== 1 || orderCurrency === undefined) {
    throw MixedCurrencies(`products are priced in ${currencies.join(', ')}; place one order per currency`);
  }

  const totalMinor = lines.reduce((sum, line) => sum + line.unitPriceMinor * line.quantity, 0);
  if (totalMinor > MAX_TOTAL_MINOR) {
    throw OrderTotalTooLarge(`total ${totalMinor} exceeds ${MAX_TOTAL_MINOR} minor units`);
  }
  return { lines, currency: orderCurrency, totalMinor };
}
