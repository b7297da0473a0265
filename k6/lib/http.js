import http from 'k6/http';
import { check } from 'k6';
import { config } from './config.js';

/**
 * One call to the public API, tagged with a stable `name` (the route, not the URL: ids would make a metric series
 * per product) and `kind:api`, and counted as failed unless its status is one of `expected`.
 */
export function api(
  method,
  path,
  { body, token, headers = {}, name, expected = [200], timeout = '10s', kind = 'api' } = {},
) {
  const params = {
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    tags: { name: name ?? path, kind },
    timeout,
    responseCallback: http.expectedStatuses(...expected),
  };
  return http.request(method, `${config.api}${path}`, body === undefined ? null : JSON.stringify(body), params);
}

/** The body as JSON, or undefined when it is not JSON (a check then fails instead of the iteration throwing). */
export function json(response) {
  try {
    return response.json();
  } catch {
    return undefined;
  }
}

/** Checks the status and, when given, predicates on the JSON body; returns the body when all passed. */
export function expect(response, status, what, predicates = {}) {
  const body = json(response);
  const checks = { [`${what}: status ${status}`]: (r) => r.status === status };
  for (const [label, predicate] of Object.entries(predicates)) {
    checks[`${what}: ${label}`] = () => body !== undefined && predicate(body);
  }
  return check(response, checks) ? body : undefined;
}

/** A key the order service accepts (8-128 of A-Z a-z 0-9 _ -), unique per VU and iteration. */
export function idempotencyKey(vu, iteration) {
  return `k6-${config.runId}-${vu}-${iteration}-${Math.random().toString(36).slice(2, 10)}`;
}
