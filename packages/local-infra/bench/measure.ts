import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ObjectId, type Db } from 'mongodb';

/** One order-like document: an indexed business key, a status with a due time (what a claim query reads), lines. */
export interface OrderDoc {
  _id: ObjectId;
  orderNo: string;
  customerId: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'RETRY';
  nextAttemptAt: Date;
  total: number;
  lines: { sku: string; quantity: number; price: number }[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Seeds `count` orders: a tenth PENDING, half of those due; indexes first, as a service's migrations do. */
export async function seedOrders(db: Db, count: number): Promise<ObjectId[]> {
  const orders = db.collection<OrderDoc>('orders');
  await orders.createIndex({ orderNo: 1 }, { unique: true });
  await orders.createIndex({ status: 1, nextAttemptAt: 1 });
  const now = Date.now();
  const ids: ObjectId[] = [];
  for (let start = 0; start < count; start += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, count - start) }, (_, k): OrderDoc => {
      const n = start + k;
      const _id = new ObjectId();
      ids.push(_id);
      return {
        _id,
        orderNo: `ORD-${String(n).padStart(6, '0')}`,
        customerId: `customer-${n % 500}`,
        status: n % 10 === 0 ? 'PENDING' : n % 10 === 1 ? 'CANCELLED' : 'CONFIRMED',
        nextAttemptAt: new Date(now + (n % 20 === 0 ? -1 : 1) * (60_000 + n)),
        total: n % 997,
        lines: [
          { sku: `SKU-${n % 101}`, quantity: 1 + (n % 3), price: 9.99 },
          { sku: `SKU-${n % 89}`, quantity: 1, price: 19.5 },
        ],
      };
    });
    await orders.insertMany(batch, { ordered: false });
  }
  return ids;
}

/** Runs `op` `count` times one after the other (after a short warm-up) and returns each latency in ms. */
export async function latencies(count: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 2; i++) await op(count + i);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await op(i);
    out.push(performance.now() - start);
  }
  return out;
}

const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime + stime (+ reaped children's) of a process, in clock ticks; 0 when it is gone. */
function cpuTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is field 3, so utime..cstime (fields 14-17) sit at indexes 11-14.
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  } catch {
    return 0;
  }
}

function childrenOf(parent: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    });
}

/** Total CPU seconds so far of the given processes and their children (PostgreSQL's backends). */
export function cpuSeconds(rootPids: number[]): number {
  const pids = new Set(rootPids);
  for (const pid of rootPids) for (const child of childrenOf(pid)) pids.add(child);
  return [...pids].reduce((sum, pid) => sum + cpuTicks(pid), 0) / clockTicks;
}

/** CPU of the database processes, in % of one core, while `poll` runs every `everyMs` for `seconds`. */
export async function idleCpu(
  pids: () => number[],
  seconds: number,
  everyMs: number,
  poll: () => Promise<unknown>,
): Promise<number> {
  await poll();
  const before = cpuSeconds(pids());
  const end = Date.now() + seconds * 1_000;
  while (Date.now() < end) {
    const started = Date.now();
    await poll();
    await sleep(Math.max(0, everyMs - (Date.now() - started)));
  }
  return ((cpuSeconds(pids()) - before) / seconds) * 100;
}

/** The two races of test/atomicity.test.ts, `times` over; returns how many repetitions lost an update. */
export async function atomicityRaces(db: Db, times: number): Promise<{ decrements: number; pushes: number }> {
  const stock = db.collection<{ _id: string; available: number }>('stock');
  const counters = db.collection<{ _id: string; n: number; log: number[] }>('counters');
  const failed = { decrements: 0, pushes: 0 };
  for (let rep = 0; rep < times; rep++) {
    const sku = `SKU-${rep}`;
    await stock.insertOne({ _id: sku, available: 10 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        stock.findOneAndUpdate({ _id: sku, available: { $gte: 1 } }, { $inc: { available: -1 } }),
      ),
    );
    const left = (await stock.findOne({ _id: sku }))?.available;
    if (results.filter((r) => r !== null).length !== 10 || left !== 0) failed.decrements++;

    const id = `counter-${rep}`;
    await counters.insertOne({ _id: id, n: 0, log: [] });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => counters.updateOne({ _id: id }, { $inc: { n: 1 }, $push: { log: i } })),
    );
    const doc = await counters.findOne({ _id: id });
    if (doc?.n !== 40 || doc.log.length !== 40) failed.pushes++;
  }
  return failed;
}

/** The outbox relay's claim, exactly as packages/kit/src/kafka/outbox.ts sends it. */
export function relayClaim(db: Db): Promise<unknown> {
  const now = new Date();
  return db.collection<OrderDoc>('orders').findOneAndUpdate(
    {
      'outbox.0': { $exists: true },
      $or: [{ outboxLeaseUntil: { $exists: false } }, { outboxLeaseUntil: { $lt: now } }],
    },
    { $set: { outboxLeaseUntil: new Date(now.getTime() + 30_000), outboxLeaseOwner: 'bench' } },
    { returnDocument: 'after' },
  );
}

/**
 * Latencies of `count` by-_id reads while two relays poll the orders collection every 200 ms, as services do all
 * the time: what a request pays when the proxy makes it wait behind other services' slow commands.
 */
export async function readsBesideRelays(db: Db, ids: ObjectId[], count: number): Promise<number[]> {
  const orders = db.collection<OrderDoc>('orders');
  let running = true;
  const relay = async () => {
    while (running) {
      await relayClaim(db);
      await sleep(200);
    }
  };
  const relays = [relay(), relay()];
  try {
    return await latencies(count, (i) => orders.findOne({ _id: ids[(i * 7919) % ids.length] }));
  } finally {
    running = false;
    await Promise.all(relays);
  }
}
