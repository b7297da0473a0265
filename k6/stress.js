// Stress: beyond the expected peak in steps (500, 1000, 1500, 2000 VUs), to find where latency and errors break.
// The thresholds are deliberately looser than load's: the run fails only when the platform stops serving.
import { provision } from './lib/setup.js';
import { catalogueFor, customersFor, mixedOptions } from './lib/profiles.js';

export { browseScenario, orderScenario, accountScenario } from './lib/profiles.js';

const peak = 2000;

export const options = mixedOptions(
  [
    { duration: '1m', target: 500 },
    { duration: '2m', target: 500 },
    { duration: '1m', target: 1000 },
    { duration: '2m', target: 1000 },
    { duration: '1m', target: 1500 },
    { duration: '2m', target: 1500 },
    { duration: '1m', target: peak },
    { duration: '2m', target: peak },
    { duration: '1m', target: 0 },
  ],
  {
    browse: { p95: 2000, p99: 5000, errors: 0.05, checks: 0.95 },
    order: { p95: 3000, p99: 8000, errors: 0.05, checks: 0.95 },
    orderToFinal: { p95: 10000, p99: 20000 },
    account: { p95: 5000, p99: 10000, errors: 0.05, checks: 0.95 },
  },
);

export function setup() {
  return provision({ customers: customersFor(peak), products: catalogueFor(peak) });
}
