import { backoffDelay, isIdempotent, parseRetryAfter } from '../../src/http/retry-policy';

describe('retry policy', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1_000 };

  test.each([
    [0, 100],
    [1, 200],
    [2, 400],
    [3, 800],
    [4, 1_000],
    [30, 1_000],
  ])(
    'when retry %i draws the top of the jitter range, then the delay approaches min(cap, base * 2^retry) = %i',
    (retry, ceiling) => {
      expect(backoffDelay(retry, options, () => 0.999_999)).toBe(ceiling - 1);
    },
  );

  test('when the jitter draws zero, then the delay is zero', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(0);
  });

  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  test.each([
    { form: 'delay-seconds', value: '3', ms: 3_000 },
    { form: 'zero seconds', value: '0', ms: 0 },
    { form: 'an HTTP-date in the future', value: 'Wed, 21 Oct 2015 07:28:10 GMT', ms: 10_000 },
    { form: 'an obsolete RFC 850 date', value: 'Wednesday, 21-Oct-15 07:28:05 GMT', ms: 5_000 },
    { form: 'an HTTP-date in the past', value: 'Wed, 21 Oct 2015 07:27:00 GMT', ms: 0 },
  ])('when Retry-After is $form, then it asks for $ms ms', ({ value, ms }) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  test.each([
    { form: 'garbage', value: 'soon' },
    { form: 'a negative number', value: '-5' },
    { form: 'absent', value: undefined },
  ])('when Retry-After is $form, then it is ignored', ({ value }) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  interface IdempotencyCase {
    request: string;
    method: string;
    headers: Record<string, string>;
    flag: boolean | undefined;
    allowed: boolean;
  }

  test.each<IdempotencyCase>([
    { request: 'a GET', method: 'GET', headers: {}, flag: undefined, allowed: true },
    { request: 'a DELETE', method: 'DELETE', headers: {}, flag: undefined, allowed: true },
    { request: 'a POST', method: 'POST', headers: {}, flag: undefined, allowed: false },
    { request: 'a PATCH', method: 'PATCH', headers: {}, flag: undefined, allowed: false },
    {
      request: 'a POST with an Idempotency-Key',
      method: 'POST',
      headers: { 'Idempotency-Key': 'k1' },
      flag: undefined,
      allowed: true,
    },
    { request: 'a POST flagged idempotent', method: 'POST', headers: {}, flag: true, allowed: true },
    { request: 'a GET flagged not idempotent', method: 'GET', headers: {}, flag: false, allowed: false },
  ])('when $request fails, then a retry is allowed: $allowed', ({ method, headers, flag, allowed }) => {
    expect(isIdempotent(method, headers, flag)).toBe(allowed);
  });
});
