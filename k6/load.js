// Load: the expected peak. Ramps to 1000 VUs (80% browse, 15% order and follow to the final status, 5% sign up and
// refresh), holds, ramps down. Targets: browsing p95 < 300 ms, placement to final status p95 < 1 s, errors < 0.5%.
import { provision } from './lib/setup.js';
import { catalogueFor, customersFor, mixedOptions, targetLimits } from './lib/profiles.js';

export { browseScenario, orderScenario, accountScenario } from './lib/profiles.js';

const peak = 1000;

export const options = mixedOptions(
  [
    { duration: '1m', target: peak / 2 },
    { duration: '1m', target: peak },
    { duration: '3m', target: peak },
    { duration: '30s', target: 0 },
  ],
  targetLimits,
);

export function setup() {
  return provision({ customers: customersFor(peak), products: catalogueFor(peak) });
}
