import { InsufficientStock, SkuDiscontinued, StockNotFound } from '../errors';
import type { StockRecord, StockRepository } from './ports';

interface StockDeps {
  stock: StockRepository;
}

export async function getStock(sku: string, { stock }: StockDeps): Promise<StockRecord> {
  const record = await stock.find(sku);
  if (!record) throw StockNotFound(`no stock record for sku ${sku}`);
  return record;
}

export async function restock(sku: string, quantity: number, { stock }: StockDeps): Promise<StockRecord> {
  const updated = await stock.restock(sku, quantity);
  if (updated) return updated;
  await getStock(sku, { stock });
  throw SkuDiscontinued(`sku ${sku} belongs to a deleted product and cannot be restocked`);
}

/** A correction (count, damage, write-off). Never takes `available` below zero: held units are not on the shelf. */
export async function adjustStock(sku: string, delta: number, { stock }: StockDeps): Promise<StockRecord> {
  const updated = await stock.adjust(sku, delta);
  if (updated) return updated;
  const current = await getStock(sku, { stock });
  throw InsufficientStock(`sku ${sku} has ${current.available} available; cannot adjust by ${delta}`);
}

export function createStockForProduct(product: { sku: string; productId: string }, deps: StockDeps): Promise<void> {
  return deps.stock.createForProduct(product);
}

export function discontinueStock(product: { sku: string; productId: string }, deps: StockDeps): Promise<void> {
  return deps.stock.discontinue(product);
}
