import { setTimeout as sleep } from 'node:timers/promises';
import { exchange, failureKindOf, startOpenLoop, uniqueName, type Exchange, type Shot } from '@platform/test-kit';
import { isFinal, type Ledger } from './ledger';
import type { ChaosPlatform, Customer } from './platform';

/**
 * The steady traffic of every scenario: orders by the customers, and anonymous product reads. A fifth of what the
 * platform confirms per second on a quiet 2-core machine (docs/benchmarks.md: CPU-bound at about 10 orders/s), so
 * a backlog left by a fault can drain while the traffic goes on, even on a machine shared with other work.
 */
export const TRAFFIC = { ordersPerSecond: 2, readsPerSecond: 1, maxInFlight: 120 } as const;
/** How long a client waits for one answer before it counts the request as failed. */
const CLIENT_TIMEOUT_MS = 10_000;

export interface ScenarioPlan {
  name: string;
  /** Traffic before the fault, to see the platform healthy under it first. */
  warmupMs?: number;
  /** Injects the fault; resolves with what ends it. */
  inject(): Promise<() => Promise<void>>;
  /** From injecting to healing. */
  holdMs: number;
  /** Runs while the fault holds (checks of behaviour under the fault), alongside the traffic. */
  during?(): Promise<void>;
  /** Traffic after the fault ends, to see the platform serve again. */
  afterMs?: number;
  /** How long orders get to reach a final status after the traffic stops. */
  settleTimeoutMs?: number;
}

export interface ScenarioResult {
  name: string;
  requests: number;
  errors: Record<string, number>;
  /** 503s without Retry-After: a client would not know when to come back. */
  unavailableWithoutRetryAfter: number;
  accepted: number;
  final: number;
  confirmed: number;
  rejected: number;
  lost: number;
  lostIds: string[];
  doubleReserved: number;
  conservationViolations: string[];
  minAvailable: number;
  minReserved: number;
  deadLetters: number;
  /** How long the fault held, and how long what was stopped took to answer again once started. */
  heldMs: number;
  restartMs: number;
  /** From the end of the fault until requests succeed again and orders placed before it are final. */
  recoveryMs: number;
  /** Latency of answers by phase, for the scenarios that judge it. */
  shots: Array<Shot<Outcome>>;
  faultStartedAt: number;
  faultEndedAt: number;
}

export interface Outcome {
  op: 'order' | 'read';
  exchange: Exchange;
  orderId?: string;
}

function ok(shot: Shot<Outcome>): boolean {
  return !(shot.result instanceof Error) && [200, 201, 304].includes(shot.result.exchange.status);
}

function kindOf(shot: Shot<Outcome>, ops: string[]): string {
  const op = ops[shot.index] ?? 'request';
  return `${op} ${failureKindOf(shot.result instanceof Error ? shot.result : shot.result.exchange)}`;
}

/** One order through the gateway, as a client sends it: the customer's token and address, an Idempotency-Key. */
export function placeOrder(chaos: ChaosPlatform, customer: Customer, productId: string, quantity: number) {
  return exchange(`${chaos.balancers.gateway.url}/api/v1/orders`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${customer.token}`,
      'x-forwarded-for': customer.ip,
      'idempotency-key': uniqueName('chaos'),
    },
    body: { lines: [{ productId, quantity }] },
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
}

/** Starts the steady traffic: an open loop of orders (a customer each, round robin) and product reads. */
export function startTraffic(chaos: ChaosPlatform, maxDurationMs: number) {
  const { ordersPerSecond, readsPerSecond, maxInFlight } = TRAFFIC;
  const perCycle = ordersPerSecond + readsPerSecond;
  const ops: string[] = [];
  const gateway = chaos.balancers.gateway.url;
  const loop = startOpenLoop<Outcome>({
    ratePerSecond: perCycle,
    maxDurationMs,
    maxRequests: Math.ceil((perCycle * maxDurationMs) / 1_000),
    maxInFlight,
    async send(index) {
      const cycle = Math.floor(index / perCycle);
      const slot = index % perCycle;
      const isRead = slot >= ordersPerSecond;
      ops[index] = isRead ? 'read' : 'order';
      if (isRead) {
        const product = chaos.products[(cycle * readsPerSecond + slot) % chaos.products.length]!;
        const answer = await exchange(`${gateway}/api/v1/products/${product.id}`, {
          headers: { 'x-forwarded-for': `10.99.${index % 250}.${(index >> 8) % 250}` },
          timeoutMs: CLIENT_TIMEOUT_MS,
        });
        return { op: 'read', exchange: answer };
      }
      const n = cycle * ordersPerSecond + slot;
      const customer = chaos.customers[n % chaos.customers.length]!;
      // Two of every three orders on the plentiful products, one on the scarce one, one or two units.
      const product = chaos.products[n % 3]!;
      const answer = await placeOrder(chaos, customer, product.id, 1 + (Math.floor(n / 3) % 2));
      const orderId = answer.status === 201 ? (JSON.parse(answer.body) as { id: string }).id : undefined;
      return { op: 'order', exchange: answer, orderId };
    },
  });
  return {
    async stop() {
      const { shots, skipped } = await loop.stop();
      return { shots, skipped, ops };
    },
  };
}

/** Samples the stock every second while the scenario runs; reads that fail (database down) are skipped. */
function sampleStock(ledger: Ledger) {
  let running = true;
  let minAvailable = Number.POSITIVE_INFINITY;
  let minReserved = Number.POSITIVE_INFINITY;
  const loop = (async () => {
    while (running) {
      try {
        for (const row of await ledger.stock()) {
          minAvailable = Math.min(minAvailable, row.available);
          minReserved = Math.min(minReserved, row.reserved);
        }
      } catch {
        // The database is the fault in one scenario.
      }
      await sleep(1_000);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { minAvailable, minReserved };
    },
  };
}

async function retrying<T>(what: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await what();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(1_000);
    }
  }
}

/**
 * One fault scenario: steady traffic, the fault injected and held, healed, traffic on for a while, then every
 * accepted order followed to its final status (bounded) and the stock accounted for.
 */
export async function runScenario(chaos: ChaosPlatform, ledger: Ledger, plan: ScenarioPlan): Promise<ScenarioResult> {
  const warmupMs = plan.warmupMs ?? 3_000;
  const afterMs = plan.afterMs ?? 8_000;
  const deadLettersBefore = await retrying(() => ledger.deadLetters());
  const stockSampler = sampleStock(ledger);
  // Bounded however long healing takes: the generator stops by itself at this limit.
  const traffic = startTraffic(chaos, warmupMs + plan.holdMs + afterMs + 120_000);
  let faultStartedAt = 0;
  let healStartedAt = 0;
  let faultEndedAt = 0;
  try {
    await sleep(warmupMs);
    faultStartedAt = Date.now();
    const heal = await plan.inject();
    const during = plan.during?.();
    await sleep(Math.max(0, plan.holdMs - (Date.now() - faultStartedAt)));
    await during;
    healStartedAt = Date.now();
    await heal();
    // The fault has ended once what was stopped answers again: recovery is the platform's, not its start-up.
    faultEndedAt = Date.now();
    await sleep(afterMs);
  } catch (err) {
    // A scenario that cannot go on must not leave its traffic and sampling running (jest would never exit).
    await Promise.all([traffic.stop(), stockSampler.stop()]);
    throw err;
  }
  const { shots, skipped, ops } = await traffic.stop();

  const acceptedIds = shots.flatMap((s) =>
    !(s.result instanceof Error) && s.result.orderId ? [s.result.orderId] : [],
  );
  const settleDeadline = Date.now() + (plan.settleTimeoutMs ?? 120_000);
  let states = new Map<string, Awaited<ReturnType<Ledger['orders']>> extends Map<string, infer S> ? S : never>();
  for (;;) {
    states = await retrying(() => ledger.orders(acceptedIds));
    const open = acceptedIds.filter((id) => !isFinal(states.get(id)?.status));
    if (open.length === 0 || Date.now() > settleDeadline) break;
    await sleep(1_000);
  }
  const sampled = await stockSampler.stop();
  const conservation = await retrying(() => ledger.conservation());
  const deadLetters = (await retrying(() => ledger.deadLetters())) - deadLettersBefore;

  const errors: Record<string, number> = {};
  let unavailableWithoutRetryAfter = 0;
  for (const shot of shots) {
    if (ok(shot)) continue;
    const kind = kindOf(shot, ops);
    errors[kind] = (errors[kind] ?? 0) + 1;
    if (!(shot.result instanceof Error) && shot.result.exchange.status === 503) {
      if (shot.result.exchange.headers['retry-after'] === undefined) unavailableWithoutRetryAfter++;
    }
  }
  if (skipped > 0) errors['not sent (in-flight cap)'] = skipped;

  const lostIds = acceptedIds.filter((id) => !isFinal(states.get(id)?.status));
  const failedAfter = shots.filter((s) => s.startedAt >= faultEndedAt && !ok(s)).map((s) => s.endedAt);
  const finalAfter = acceptedIds
    .filter(
      (id) =>
        (shots.find((s) => !(s.result instanceof Error) && s.result.orderId === id)?.startedAt ?? 0) < faultEndedAt,
    )
    .map((id) => states.get(id)?.finalAt ?? 0);
  const recoveryMs = Math.max(
    0,
    ...failedAfter.map((t) => t - faultEndedAt),
    ...finalAfter.map((t) => t - faultEndedAt),
  );

  const statuses = [...states.values()].map((s) => s.status);
  return {
    name: plan.name,
    requests: shots.length,
    errors,
    unavailableWithoutRetryAfter,
    accepted: acceptedIds.length,
    final: acceptedIds.length - lostIds.length,
    confirmed: statuses.filter((s) => s === 'CONFIRMED').length,
    rejected: statuses.filter((s) => s === 'REJECTED').length,
    lost: lostIds.length,
    lostIds,
    doubleReserved: conservation.doubleReserved,
    conservationViolations: conservation.violations,
    minAvailable: Math.min(sampled.minAvailable, conservation.minAvailable),
    minReserved: Math.min(sampled.minReserved, conservation.minReserved),
    deadLetters,
    heldMs: healStartedAt - faultStartedAt,
    restartMs: faultEndedAt - healStartedAt,
    recoveryMs,
    shots,
    faultStartedAt,
    faultEndedAt,
  };
}

/** The summary table: one row per scenario. */
export function summaryTable(results: readonly ScenarioResult[]): string {
  const header = [
    'scenario',
    'fault, restart',
    'requests',
    'errors by kind',
    'accepted',
    'final',
    'lost',
    'double',
    'min stock',
    'DLQ',
    'recovery',
  ];
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const rows = results.map((r) => [
    r.name,
    `${seconds(r.heldMs)}, ${seconds(r.restartMs)}`,
    String(r.requests),
    Object.entries(r.errors)
      .sort((a, b) => b[1] - a[1])
      .map(([kind, count]) => `${kind}: ${count}`)
      .join(', ') || 'none',
    String(r.accepted),
    `${r.final} (${r.confirmed} confirmed, ${r.rejected} rejected)`,
    String(r.lost),
    String(r.doubleReserved),
    String(r.minAvailable),
    String(r.deadLetters),
    seconds(r.recoveryMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const numeric = new Set([2, 4, 6, 7, 8, 9, 10]);
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric.has(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
