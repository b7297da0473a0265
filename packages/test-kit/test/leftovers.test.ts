import { isStaleTestName } from '../src/leftovers';
import { uniqueName } from '../src/names';

describe('isStaleTestName', () => {
  const hour = 60 * 60 * 1000;

  it('when a name carries an old uniqueName stamp, then it is stale, in topic and database spellings alike', () => {
    const later = Date.now() + 7 * hour;
    expect(isStaleTestName(`${uniqueName('gw-e2e')}.order.events`, later, 6 * hour)).toBe(true);
    expect(isStaleTestName(uniqueName('order').replace(/-/g, '_'), later, 6 * hour)).toBe(true);
  });

  it('when the stamp is recent, or the name has none, then it is kept', () => {
    expect(isStaleTestName(`${uniqueName('e2e')}.order.events`, Date.now(), 6 * hour)).toBe(false);
    for (const name of ['order.events', 'platform.order.events', 'bench_flags_mx2f1swr_inventory', 'inventory']) {
      expect(isStaleTestName(name, Date.now() + 1000 * hour, 6 * hour)).toBe(false);
    }
  });
});
