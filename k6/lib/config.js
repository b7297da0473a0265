// Configuration of every k6 script, from the environment only (k6 passes the process environment as __ENV).
// A bad value stops the run before any virtual user starts, with a message naming the variable.

function text(name, fallback) {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}

function positive(name, fallback) {
  const raw = text(name, undefined);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

function required(name) {
  const value = text(name, undefined);
  if (value === undefined) {
    throw new Error(
      `${name} is not set: the scripts seed products and stock as the platform's first admin ` +
        '(`npm run k6` reads them from .local/run/dev-secrets.json)',
    );
  }
  return value;
}

function baseUrl() {
  const raw = text('BASE_URL', 'http://127.0.0.1:3000').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(raw)) throw new Error(`BASE_URL must be scheme://host[:port], got "${raw}"`);
  return raw;
}

export const config = Object.freeze({
  /** The gateway: every call goes through the public API, as a client's would. */
  baseUrl: baseUrl(),
  api: `${baseUrl()}/api/v1`,
  admin: Object.freeze({ email: required('ADMIN_EMAIL'), password: required('ADMIN_PASSWORD') }),
  /** Customers provisioned in setup(); VUs share them round-robin. */
  customers: Math.round(positive('K6_CUSTOMERS', 4)),
  /** Products seeded in setup() for browsing and ordering. */
  products: Math.round(positive('K6_PRODUCTS', 5)),
  /** Multiplies every stage's duration (e.g. 0.1 for a quick rehearsal of a profile). */
  timeScale: positive('K6_TIME_SCALE', 1),
  /** Multiplies every stage's VU target (e.g. 0.05 to rehearse the 1000-VU profile at 50). */
  vuScale: positive('K6_VU_SCALE', 1),
  /** How long setup() waits for the gateway to report ready. */
  readySeconds: positive('K6_READY_TIMEOUT_S', 60),
  /** Longest wait for an order to reach its final status. */
  finalStatusSeconds: positive('K6_FINAL_STATUS_TIMEOUT_S', 30),
  /** Pause between two reads of an order that is still PENDING, growing from 50 ms to this (ms). */
  pollMaxMs: positive('K6_POLL_MAX_MS', 250),
  /** Overrides of every latency threshold, in ms: a test sets them impossibly tight to prove a failed threshold fails the run. */
  p95Ms: positive('K6_P95_MS', undefined),
  p99Ms: positive('K6_P99_MS', undefined),
  /** A tag on every metric, so the runs of one benchmark can be told apart. */
  runId: text('K6_RUN_ID', `${Date.now().toString(36)}`),
});
