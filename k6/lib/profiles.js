import { sleep } from 'k6';
import { config } from './config.js';
import { browse, placeAndFollow, signUpAndRefresh } from './flows.js';
import { orderCompletionThresholds, scenarioThresholds } from './thresholds.js';

/** The traffic mix of every multi-user profile: who the virtual users are. */
export const mix = { browse: 0.8, order: 0.15, account: 0.05 };

/** Think time between two iterations of one user, 1-3 s: real shoppers pause, and it keeps the load per VU realistic. */
function think() {
  sleep(1 + Math.random() * 2);
}

export function browseScenario(data) {
  browse(data);
  think();
}

export function orderScenario(data) {
  placeAndFollow(data);
  think();
}

export function accountScenario() {
  signUpAndRefresh();
  think();
}

function seconds(duration) {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(duration);
  if (!match) throw new Error(`bad duration ${duration}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2]];
}

/**
 * Three ramping-vus scenarios sharing `stages` (total VUs over time) in the proportions of `mix`, with the
 * durations and targets scaled by K6_TIME_SCALE and K6_VU_SCALE (a rehearsal of a profile at a fraction of its size).
 */
export function mixedScenarios(stages) {
  const scaled = (share) =>
    stages.map((s) => ({
      duration: `${Math.max(1, Math.round(seconds(s.duration) * config.timeScale))}s`,
      target: Math.round(s.target * config.vuScale * share),
    }));
  const scenario = (exec, share) => ({
    executor: 'ramping-vus',
    exec,
    startVUs: 0,
    stages: scaled(share).map((s) => ({ ...s, target: Math.max(s.target, 0) })),
    gracefulRampDown: '10s',
    gracefulStop: `${config.finalStatusSeconds + 5}s`,
  });
  return {
    browse: scenario('browseScenario', mix.browse),
    order: scenario('orderScenario', mix.order),
    account: scenario('accountScenario', mix.account),
  };
}

/** How many customers setup() provisions for a profile peaking at `peakVUs`: four order VUs per customer. */
export function customersFor(peakVUs) {
  return Math.max(config.customers, Math.ceil((peakVUs * config.vuScale * mix.order) / 4));
}

/**
 * How many products setup() seeds for a profile peaking at `peakVUs`: one per five VUs (200 at 1000), so browsing
 * spreads over a catalogue (the gateway's edge cache keeps each answer 5 s: a handful of products would always
 * hit it) and orders over many stock records. At least K6_PRODUCTS.
 */
export function catalogueFor(peakVUs) {
  return Math.max(config.products, Math.round((peakVUs * config.vuScale) / 5));
}

/**
 * Thresholds of the mixed profiles. `limits` per scenario: p95/p99 in ms and the tolerated error rate; the order
 * scenario also bounds placement-to-final-status.
 */
export function mixedThresholds(limits) {
  return {
    ...scenarioThresholds('browse', limits.browse),
    ...scenarioThresholds('order', limits.order),
    ...orderCompletionThresholds('order', limits.orderToFinal),
    ...scenarioThresholds('account', limits.account),
  };
}

/** The targets of the expected peak (load) and of steady use (soak): issue 11's 300 ms browsing, 1 s to a final status. */
export const targetLimits = {
  browse: { p95: 300, p99: 800 },
  order: { p95: 500, p99: 1500 },
  orderToFinal: { p95: 1000, p99: 2500 },
  // Registration and login hash a password (argon2id) on purpose: slower by design.
  account: { p95: 1500, p99: 3000 },
};

/** The options of a mixed profile: its scenarios over `stages`, its thresholds, and a setup long enough to provision. */
export function mixedOptions(stages, limits) {
  return {
    scenarios: mixedScenarios(stages),
    thresholds: mixedThresholds(limits),
    setupTimeout: '5m',
    summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max', 'count'],
  };
}
