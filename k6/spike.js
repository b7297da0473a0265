// Spike: a quiet baseline, a jump to 1000 VUs within 10 s, a minute at the top, a drop back and a recovery phase.
// Passing means the platform absorbs the burst (errors stay low) and recovers; latency may rise during the spike.
import { provision } from './lib/setup.js';
import { catalogueFor, customersFor, mixedOptions } from './lib/profiles.js';

export { browseScenario, orderScenario, accountScenario } from './lib/profiles.js';

const peak = 1000;

export const options = mixedOptions(
  [
    { duration: '30s', target: 50 },
    { duration: '1m', target: 50 },
    { duration: '10s', target: peak },
    { duration: '1m', target: peak },
    { duration: '10s', target: 50 },
    { duration: '2m', target: 50 },
    { duration: '10s', target: 0 },
  ],
  {
    browse: { p95: 1000, p99: 3000, errors: 0.01 },
    order: { p95: 1500, p99: 4000, errors: 0.01 },
    orderToFinal: { p95: 3000, p99: 8000 },
    account: { p95: 3000, p99: 6000, errors: 0.01 },
  },
);

export function setup() {
  return provision({ customers: customersFor(peak), products: catalogueFor(peak) });
}
