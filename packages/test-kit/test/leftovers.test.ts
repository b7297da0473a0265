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
    for (const name of ['order.events', 'platform.order.events', 'inventory']) {
      expect(isStaleTestName(name, Date.now() + 1000 * hour, 6 * hour)).toBe(false);
    }
  });

  describe('a benchmark or k6 namespace (`<prefix>_<time in base 36>`)', () => {
    const started = Date.now();
    const namespace = `bench_gateway_${started.toString(36)}`;

    it('when it is older than the limit, then the databases of its services and its topics are stale', () => {
      const later = started + 7 * hour;
      for (const name of [
        `${namespace}_inventory`,
        `${namespace}.order.events`,
        `k6_${started.toString(36)}_order`,
        `k6_${started.toString(36)}.inventory.events.dlq`,
        `bench_flags_${started.toString(36)}_product`,
      ]) {
        expect([name, isStaleTestName(name, later, 6 * hour)]).toEqual([name, true]);
      }
    });

    it('when it is recent, then its data is kept', () => {
      expect(isStaleTestName(`${namespace}_user`, started + 5 * hour, 6 * hour)).toBe(false);
      expect(isStaleTestName(`${namespace}.order.events`, started + 5 * hour, 6 * hour)).toBe(false);
    });

    it('when the name only resembles one, then it is kept', () => {
      const stamp = started.toString(36);
      for (const name of [
        `${namespace}_billing`, // no service of the platform
        `${namespace}_inventory_archive`, // more after the service
        `${namespace}`, // the namespace alone
        `shop_${stamp}_order`, // neither bench_<name> nor k6
        `xbench_gateway_${stamp}_order`,
        `k6_${stamp}x_order`, // nine characters where the time has eight
        'k6_zzzzzzzz_order', // not a time from 2024 to now
        `bench_gateway_${stamp}order.events`,
      ]) {
        expect([name, isStaleTestName(name, started + 1000 * hour, 6 * hour)]).toEqual([name, false]);
      }
    });
  });
});
