// Soak: a steady, moderate load (300 VUs) for an hour, to expose leaks, growing queues and slow drift. Keep the
// access token TTL above the run's length (the platform of `npm run k6 -- soak --platform` sets an hour), or shorten
// it with K6_TIME_SCALE.
import { provision } from './lib/setup.js';
import { catalogueFor, customersFor, mixedOptions, targetLimits } from './lib/profiles.js';

export { browseScenario, orderScenario, accountScenario } from './lib/profiles.js';

const level = 300;

export const options = mixedOptions(
  [
    { duration: '2m', target: level },
    { duration: '55m', target: level },
    { duration: '1m', target: 0 },
  ],
  targetLimits,
);

export function setup() {
  return provision({ customers: customersFor(level), products: catalogueFor(level) });
}
