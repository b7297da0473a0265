/** The saga benchmark's section of docs/benchmarks.md: figures per rate, the targets of issue 9, CPU by process. */
import { spread, type Labelled } from './report';
import type { RateFigures, SagaRun, SagaSettings } from './saga';

function rateRow(title: string, figures: RateFigures[]): string {
  const s = (f: (r: RateFigures) => number, digits = 0) => spread(figures.map(f), digits);
  return [
    `| ${title}`,
    s((r) => r.offered),
    s((r) => r.accepted),
    s((r) => r.confirmed),
    s((r) => r.rejected),
    s((r) => r.pending),
    figures.every((r) => r.shed !== undefined)
      ? `${s((r) => r.httpErrors)}, shed ${s((r) => r.shed!)}`
      : s((r) => r.httpErrors),
    `${s((r) => r.postP50Ms)} / ${s((r) => r.postP99Ms)}`,
    `${s((r) => r.finalP50Ms)} / ${s((r) => r.finalP95Ms)} / ${s((r) => r.finalP99Ms)} |`,
  ].join(' | ');
}

const mark = (met: boolean) => (met ? 'met' : '**missed**');

function targetRows(runs: SagaRun[], extra: SagaSettings): string[] {
  const at = (r: SagaRun) => r.rates.find((f) => f.rate === extra.storedRate);
  const worst = (f: (r: SagaRun) => number) => Math.max(...runs.map(f));
  const rows: string[] = [];
  if (runs.every((r) => at(r))) {
    const p99 = runs.map((r) => at(r)!.finalP99Ms);
    const bad = worst((r) => at(r)!.httpErrors + at(r)!.pending);
    rows.push(
      `| ${extra.storedRate}/s, empty: 0 errors, 0 stuck, p99 POST -> CONFIRMED <= 500 ms | errors + stuck ${bad} (worst run), p99 ${spread(p99)} ms | ${mark(bad === 0 && Math.max(...p99) <= 500)} |`,
    );
    const ratio = runs.map((r) => r.stored.finalP99Ms / at(r)!.finalP99Ms);
    const storedBad = worst((r) => r.stored.httpErrors + r.stored.pending);
    const storedP99 = runs.map((r) => r.stored.finalP99Ms);
    rows.push(
      `| the same with ${extra.storedOrders.toLocaleString('en')} orders stored, p99 within 1.5x of empty | errors + stuck ${storedBad}, p99 ${spread(storedP99)} ms, ${spread(ratio, 2)}x empty | ${mark(storedBad === 0 && Math.max(...storedP99) <= 500 && Math.max(...ratio) <= 1.5)} |`,
    );
  }
  const idle = runs.map((r) => r.idleDatabase.stored * 100);
  rows.push(
    `| idle database CPU with ${extra.storedOrders.toLocaleString('en')} orders < 5% of a core | ${spread(idle, 1)}% (empty: ${spread(
      runs.map((r) => r.idleDatabase.empty * 100),
      1,
    )}%) | ${mark(Math.max(...idle) < 5)} |`,
  );
  const recovery = runs.flatMap((r) => (r.brokerRestart.recoverySec === null ? [] : [r.brokerRestart.recoverySec]));
  const never = runs.length - recovery.length;
  const late = worst((r) => r.brokerRestart.lateAfter15s);
  const last = recovery.length > 0 ? `last order final ${spread(recovery, 1)} s after the return` : '';
  const stuck = never > 0 ? `${never} of ${runs.length} runs with orders never final` : '';
  rows.push(
    `| broker restart at ${extra.outageRate}/s: every order final within 15 s of its return | ${[last, stuck].filter(Boolean).join('; ')}; ${late} orders later than 15 s (worst run) | ${mark(late === 0 && never === 0)} |`,
  );
  return rows;
}

function cpuRows(runs: SagaRun[]): string[] {
  const names = Object.keys(runs[0]!.rates[0]?.cpu ?? {});
  const scenarios = [
    ...runs[0]!.rates.map((r, i) => ({ title: `${r.rate}/s`, pick: (run: SagaRun) => run.rates[i]! })),
  ];
  scenarios.push({ title: `${runs[0]!.stored.rate}/s stored`, pick: (run) => run.stored });
  return [
    `| process | ${scenarios.map((s) => s.title).join(' | ')} |`,
    `|---|${scenarios.map(() => '---').join('|')}|`,
    ...names.map(
      (name) =>
        `| ${name} | ${scenarios.map((s) => spread(runs.map((run) => s.pick(run).cpu[name]! * 100))).join(' | ')} |`,
    ),
    `| total | ${scenarios
      .map((s) => spread(runs.map((run) => Object.values(s.pick(run).cpu).reduce((a, b) => a + b, 0) * 100)))
      .join(' | ')} |`,
  ];
}

export function renderSaga(entries: Array<Labelled<SagaRun>>): string {
  const lines: string[] = [];
  for (const e of entries) {
    const extra = e.extra as unknown as SagaSettings;
    const runs = e.runs;
    const restart = runs.map((r) => r.brokerRestart);
    lines.push(
      `### ${e.label}`,
      '',
      `${e.date}, commit ${e.commit}, Node ${e.node}, ${e.machine}. \`${e.command}\`; ${runs.length} runs, median (min-max). ` +
        `Everything on this machine: the gateway, the four services, a private Kafka, the local MongoDB-protocol database (mongo-java-server) and Redis. ` +
        `${extra.customers} customers; orders of one unit, placed through the gateway by an open-loop generator (each at its ` +
        `scheduled time; latency from that time), followed on \`GET /api/v1/orders/:id/events\` (SSE) until final, the stream ` +
        `opened again 500 ms after a failure. ${extra.seconds} s per rate, each from an emptied order database; "stuck": still ` +
        `PENDING ${extra.finalWithinSeconds} s after its POST. Stored orders: ${extra.storedOrders.toLocaleString('en')} final ` +
        `orders with their histories written with the mongodb driver (bench/saga-seed.ts).`,
      '',
      '| rate | offered | accepted | CONFIRMED | REJECTED | still PENDING | HTTP errors | POST p50 / p99 ms | POST -> final p50 / p95 / p99 ms |',
      '|---|---|---|---|---|---|---|---|---|',
      ...runs[0]!.rates.map((r, i) =>
        rateRow(
          `${r.rate}/s`,
          runs.map((run) => run.rates[i]!),
        ),
      ),
      rateRow(
        `${extra.storedRate}/s, ${extra.storedOrders.toLocaleString('en')} stored`,
        runs.map((run) => run.stored),
      ),
      rateRow(`${extra.outageRate}/s, broker down ${extra.outageSeconds} s`, restart),
      '',
      '| target (issue 9) | measured | |',
      '|---|---|---|',
      ...targetRows(runs, extra),
      '',
      `Broker restart: stopped (SIGTERM, ${spread(
        restart.map((r) => r.stopSec),
        1,
      )} s) 10 s into 60 s of ${extra.outageRate} orders/s, started ${extra.outageSeconds} s after the stop began ` +
        `(or once stopped), answering again after ${spread(
          restart.map((r) => r.startSec),
          1,
        )} s: down ${spread(
          restart.map((r) => r.outageSec),
          1,
        )} s in all. Orders the generator gave up on (a minute after the load and the outage ended), by the order ` +
        `database: ${spread(restart.map((r) => r.unfinishedInDatabase?.pending ?? NaN))} PENDING, ${spread(
          restart.map((r) => r.unfinishedInDatabase?.outboxPending ?? NaN),
        )} with events not yet published. Storing the orders took ${spread(
          runs.map((r) => r.seedSec),
          1,
        )} s. Idle database CPU with the stored orders: ${spread(
          runs.map((r) => r.idleDatabase.stored * 100),
          1,
        )}% of a core over ${extra.idleSeconds} s.`,
      '',
      'CPU by process during each rate, % of one core (of 2), /proc utime + stime of each process tree over the load and its drain:',
      '',
      ...cpuRows(runs),
      '',
    );
  }
  return lines.join('\n');
}
