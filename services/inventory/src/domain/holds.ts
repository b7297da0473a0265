import type { RejectedLineV1 } from '@platform/events';
import type { ReservationLine, StockRecord, StockRepository } from './ports';

export interface HoldOutcome {
  held: ReservationLine[];
  failures: RejectedLineV1[];
}

/** Stock restocked between a failed hold and our look at the record: try the hold again, a few times. */
const HOLD_ATTEMPTS = 3;

/**
 * Holds the lines one by one with conditional updates that can never take stock below zero. After the first line
 * that cannot be held nothing more is held (the order is rejected anyway); the remaining lines are only looked
 * at, so the rejection can name every line that falls short. The caller gives back `held` on failure.
 */
export async function holdLines(
  orderId: string,
  lines: ReservationLine[],
  stock: StockRepository,
): Promise<HoldOutcome> {
  const held: ReservationLine[] = [];
  const failures: RejectedLineV1[] = [];
  for (const line of lines) {
    if (failures.length === 0) {
      const failure = await holdLine(orderId, line, stock);
      if (failure) failures.push(failure);
      else held.push(line);
      continue;
    }
    const record = await stock.find(line.sku);
    if (!fits(line, record)) failures.push(shortfall(line, record));
  }
  return { held, failures };
}

async function holdLine(
  orderId: string,
  line: ReservationLine,
  stock: StockRepository,
): Promise<RejectedLineV1 | null> {
  for (let attempt = 1; ; attempt++) {
    if (await stock.reserve(line.sku, orderId, line.quantity)) return null;
    // An earlier delivery of this order got this far before it crashed: the hold is ours already.
    if (await stock.hasHold(line.sku, orderId)) return null;
    const record = await stock.find(line.sku);
    if (!fits(line, record) || attempt >= HOLD_ATTEMPTS) return shortfall(line, record);
  }
}

/** Gives back this order's holds; each release is conditional on the hold, so repeating it is harmless. */
export async function releaseLines(orderId: string, lines: ReservationLine[], stock: StockRepository): Promise<void> {
  for (const line of lines) await stock.release(line.sku, orderId, line.quantity);
}

/** Gives back a confirmed order's units, each line once whether or not its hold was committed yet. */
export async function giveBackCommittedLines(
  orderId: string,
  lines: ReservationLine[],
  stock: StockRepository,
): Promise<void> {
  for (const line of lines) await stock.giveBackCommitted(line.sku, orderId, line.quantity);
}

function fits(line: ReservationLine, record: StockRecord | null): boolean {
  return record !== null && !record.discontinued && record.available >= line.quantity;
}

function shortfall(line: ReservationLine, record: StockRecord | null): RejectedLineV1 {
  // A discontinued sku is as good as unknown to a buyer: its product no longer exists.
  if (!record || record.discontinued) {
    return { sku: line.sku, requested: line.quantity, available: 0, reason: 'UNKNOWN_SKU' };
  }
  return { sku: line.sku, requested: line.quantity, available: record.available, reason: 'INSUFFICIENT_STOCK' };
}
